// The floor's tables (routes, bodies and who may call them: the contract's route table, functions/README.md).
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { mutation } from '../_shared/mutation.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'

const table = (result: Record<string, unknown>) => ({ table: result })

export const handler = functionHandler('tables', {
  seatTable: mutation('seatTable', {
    etagOf: 'table',
    call: ({ params, body, expectedVersion }) =>
      sqlText`public.seat_table(${params.id}::uuid, ${body.party_size}::int, ${expectedVersion}::int,
                                         ${body.server_id}::uuid)`,
    shape: table,
  }),
  clearTable: mutation('clearTable', {
    etagOf: 'table',
    call: ({ params, expectedVersion }) =>
      sqlText`public.clear_table(${params.id}::uuid, ${expectedVersion}::int)`,
    shape: table,
  }),
})
