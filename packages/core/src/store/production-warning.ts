const warned = new Set<string>();

/**
 * Warns once per process and store kind when an in-memory store is created
 * with `NODE_ENV=production` (as express-session's MemoryStore does): its state
 * is lost on restart and not shared between instances.
 */
export function warnIfProduction(kind: string): void {
  if (process.env.NODE_ENV !== "production" || warned.has(kind)) return;
  warned.add(kind);
  process.emitWarning(
    `${kind} keeps state in this process only: it is lost on restart and not shared between instances. Use a database adapter in production.`,
    { code: "GATEHOUSE_MEMORY_STORE", type: "GatehouseWarning" },
  );
}
