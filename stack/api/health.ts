import { openDb } from '../db.ts';
import type { ApiRoute } from './route.ts';
import { sendJson } from './respond.ts';

/**
 * `GET /health`: the API answers `status: 'ok'` whenever it runs; `db` says whether Postgres answers a query
 * right now, so a script can wait for `db: 'up'`.
 */
export function createHealthRoute(dbUrl: string): ApiRoute {
  // One lazily opened connection, released when idle so it never pins the database (e.g. during a reset).
  const sql = openDb(dbUrl, 'health', { idleTimeout: 10, connectTimeout: 2 });

  return {
    prefix: '/health',
    async handleRequest(_req, res) {
      const db = await sql`select 1`.then(
        () => 'up' as const,
        () => 'down' as const,
      );
      sendJson(res, 200, { status: 'ok', db });
    },
    close: () => sql.end({ timeout: 2 }),
  };
}
