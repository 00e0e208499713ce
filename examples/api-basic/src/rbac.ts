import { auditModels } from "@gatehouse/audit";
import { createEventBus, type EventBus } from "@gatehouse/core";
import {
  createAuthorizer,
  createCustomRoles,
  createMemberships,
  customRoleModel,
  defaultRoles,
  defineRoles,
  membershipModel,
  type RbacAuthorizer,
} from "@gatehouse/rbac";
import { createSqliteStore, type SqlStore } from "@gatehouse/store-sql";

/** The invoice permissions of the example, Clerk-shaped. */
export const INVOICES_READ = "org:invoices:read";
export const INVOICES_MANAGE = "org:invoices:manage";

/** Built-in roles: members read invoices, admins (and owners) manage them too. */
export const roles = defineRoles({
  roles: {
    ...defaultRoles(),
    "org:member": { permissions: ["org:sys_memberships:read", INVOICES_READ] },
    "org:admin": {
      ...defaultRoles()["org:admin"]!,
      permissions: [...defaultRoles()["org:admin"]!.permissions, INVOICES_MANAGE],
    },
  },
});

/** Everything authorization needs, on the app's own storage. */
export interface AppRbac {
  readonly store: SqlStore;
  readonly authorizer: RbacAuthorizer;
  readonly events: EventBus;
  readonly customRoles: ReturnType<typeof createCustomRoles>;
  readonly memberships: ReturnType<typeof createMemberships>;
}

/**
 * Opens the SQLite file (the embedded default), migrates the RBAC and audit
 * models and seeds a custom role, `org:billing`, for the demo organization `org_acme`.
 */
export async function createAppRbac(sqliteFile: string): Promise<AppRbac> {
  const store = createSqliteStore(sqliteFile, {
    models: [customRoleModel, membershipModel, ...auditModels],
    // The audit trail's batches are inserted on a writer thread, off the event loop.
    bulkWrites: "worker",
  });
  await store.migrate();
  const events = createEventBus();
  const memberships = createMemberships({ records: store.records });
  const customRoles = createCustomRoles({ records: store.records, kv: store.kv, roles });
  if ((await customRoles.resolve("org_acme", "org:billing")) === undefined) {
    await customRoles.create("org_acme", "org:billing", [INVOICES_READ, INVOICES_MANAGE]);
  }
  const authorizer = createAuthorizer({ roles, customRoles, memberships, events });
  return { store, authorizer, events, customRoles, memberships };
}
