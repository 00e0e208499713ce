import type { Clock } from "@gatehouse/core";
import { createSessions, type Sessions, sessionModels } from "@gatehouse/sessions";
import { createSqliteStore, type SqlStore } from "@gatehouse/store-sql";

/** What the app's sessions run on. */
export interface AppSessions {
  readonly sessions: Sessions;
  readonly store: SqlStore;
}

/** Options of {@link openSessions}. */
export interface OpenSessionsOptions {
  /** The SQLite file (`:memory:` for a throwaway database). */
  readonly file: string;
  /** At least 32 characters (`GATEHOUSE_SECRET`). */
  readonly secret: string;
  /** The app's public URL: the `iss` of its access tokens and the origin they are issued to. */
  readonly publicUrl: string;
  /** For tests. @default the system clock */
  readonly clock?: Clock;
}

/**
 * Opens the SQLite file (the embedded default), creates the session tables,
 * and starts the session service on it.
 */
export async function openSessions(o: OpenSessionsOptions): Promise<AppSessions> {
  const store = createSqliteStore(o.file, {
    models: sessionModels,
    ...(o.clock === undefined ? {} : { clock: o.clock }),
  });
  await store.migrate();
  const sessions = createSessions({
    records: store.records,
    kv: store.kv,
    issuer: o.publicUrl,
    authorizedParties: [o.publicUrl],
    secret: o.secret,
    ...(o.clock === undefined ? {} : { clock: o.clock }),
    limits: { maxSessionsPerUser: 10 },
  });
  return { sessions, store };
}
