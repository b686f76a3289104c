// Every third-party import of the functions, pinned in one place. Only `npm:` specifiers: they resolve both
// here (Deno from npm, no JSR/deno.land) and in `supabase functions deploy`. zod is pinned in the import map
// (deno.json `imports`), because contract/ imports it by its bare name for Node and Deno alike.
export { default as postgres } from 'npm:postgres@3.4.9'
export type { ReservedSql, Sql } from 'npm:postgres@3.4.9'
export * as jose from 'npm:jose@6.2.18'
export { z } from 'zod'
