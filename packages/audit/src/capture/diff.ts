/**
 * The change set of an admin action: which fields changed, from what, to
 * what. Internal.
 *
 * @packageDocumentation
 */

/** The changed fields of two versions of a record. */
export interface Diff {
  /** Paths of the changed fields (`email`, `profile.name`). */
  readonly changed: string[];
  /** The changed fields' values before, nested as in the record; absent fields are left out. */
  readonly before: Record<string, unknown>;
  /** The changed fields' values after, nested as in the record. */
  readonly after: Record<string, unknown>;
  /** More than 100 fields changed; the rest are not listed. */
  readonly truncated: boolean;
}

const MAX_DEPTH = 4;
const MAX_CHANGES = 100;

type Obj = Record<string, unknown>;

const isPlainObject = (value: unknown): value is Obj => {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/** Structural equality of JSON-like values (Dates by time). */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const keys = Object.keys(a).filter((k) => a[k] !== undefined);
    if (keys.length !== Object.keys(b).filter((k) => b[k] !== undefined).length) return false;
    return keys.every((k) => Object.hasOwn(b, k) && sameValue(a[k], b[k]));
  }
  return false;
}

/** Sets an own property, `__proto__` included, without touching a prototype. */
function put(target: Obj, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

const own = (o: Obj, key: string) => (Object.hasOwn(o, key) ? o[key] : undefined);

/**
 * The fields that differ between `before` and `after`: nested plain objects
 * are compared field by field (up to 4 levels), arrays and other values as a
 * whole. A missing side (a creation or a deletion) counts as an empty object.
 */
export function diffFields(before: unknown, after: unknown): Diff {
  const changed: string[] = [];
  let truncated = false;

  const walk = (a: Obj, b: Obj, outA: Obj, outB: Obj, prefix: string, depth: number) => {
    for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const va = own(a, key);
      const vb = own(b, key);
      if (sameValue(va, vb)) continue;
      const path = prefix === "" ? key : `${prefix}.${key}`;
      if (depth < MAX_DEPTH && isPlainObject(va) && isPlainObject(vb)) {
        const subA: Obj = {};
        const subB: Obj = {};
        put(outA, key, subA);
        put(outB, key, subB);
        walk(va, vb, subA, subB, path, depth + 1);
        continue;
      }
      if (changed.length >= MAX_CHANGES) {
        truncated = true;
        return;
      }
      changed.push(path);
      if (va !== undefined) put(outA, key, va);
      if (vb !== undefined) put(outB, key, vb);
    }
  };

  const outBefore: Obj = {};
  const outAfter: Obj = {};
  walk(
    isPlainObject(before) ? before : {},
    isPlainObject(after) ? after : {},
    outBefore,
    outAfter,
    "",
    0,
  );
  return { changed, before: outBefore, after: outAfter, truncated };
}
