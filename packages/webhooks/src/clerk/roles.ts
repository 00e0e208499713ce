/**
 * The `data` of `role.*` and `permission.*` events (`RoleJSON`,
 * `PermissionJSON`): the instance's custom organization roles and permissions.
 *
 * @packageDocumentation
 */
import { z } from "zod";
import { clerkDeletedObjectSchema, clerkTimestamp } from "./envelope.js";

/**
 * A custom organization permission (`permission.created` / `.updated`).
 *
 * @example
 * ```ts
 * const permission = clerkPermissionSchema.parse(event.data);
 * console.log(permission.key); // "org:invoices:read"
 * ```
 */
export const clerkPermissionSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("permission"),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
});

/**
 * The `data` of `permission.created` / `.updated`.
 *
 * @example
 * ```ts
 * const key = (p: ClerkPermission) => p.key;
 * ```
 */
export type ClerkPermission = z.output<typeof clerkPermissionSchema>;

/**
 * A custom organization role and its permissions (`role.created` / `.updated`).
 *
 * @example
 * ```ts
 * const role = clerkRoleSchema.parse(event.data);
 * console.log(role.key, role.permissions.map((p) => p.key));
 * ```
 */
export const clerkRoleSchema = z.looseObject({
  id: z.string().min(1),
  object: z.literal("role"),
  key: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  permissions: z.array(clerkPermissionSchema),
  is_creator_eligible: z.boolean().optional(),
  created_at: clerkTimestamp,
  updated_at: clerkTimestamp,
});

/**
 * The `data` of `role.created` / `.updated`.
 *
 * @example
 * ```ts
 * const keys = (r: ClerkRole) => r.permissions.map((p) => p.key);
 * ```
 */
export type ClerkRole = z.output<typeof clerkRoleSchema>;

/**
 * The `data` of `role.deleted`: the deleted-object stub, or the whole role
 * (`@clerk/backend` types it as `RoleJSON`); both are accepted. Narrow with
 * `"deleted" in data`.
 *
 * @example
 * ```ts
 * const gone = clerkRoleDeletedSchema.parse(event.data);
 * const id = gone.id;
 * ```
 */
export const clerkRoleDeletedSchema = z.union([clerkDeletedObjectSchema, clerkRoleSchema]);

/**
 * The `data` of `permission.deleted`: the stub or the whole permission (see {@link clerkRoleDeletedSchema}).
 *
 * @example
 * ```ts
 * const { id } = clerkPermissionDeletedSchema.parse(event.data);
 * ```
 */
export const clerkPermissionDeletedSchema = z.union([
  clerkDeletedObjectSchema,
  clerkPermissionSchema,
]);
