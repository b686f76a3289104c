// The floor's tables:
//   POST /tables/:id/seat    seat a party      {party_size, server_id?, expected_version?}
//   POST /tables/:id/clear   guests have left  {expected_version?}
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { createHandler } from '../_shared/http.ts'
import { mutation } from '../_shared/mutation.ts'
import { idParams, seatBody, versionOnlyBody } from '../_shared/schemas.ts'
import { sqlText } from '../_shared/sql-text.ts'

const table = (result: Record<string, unknown>) => ({ table: result })

export const handler = createHandler('tables', [
  {
    method: 'POST',
    pattern: '/:id/seat',
    handler: mutation({
      fn: 'tables',
      params: idParams,
      body: seatBody,
      versioned: true,
      etagOf: 'table',
      call: ({ params, body, expectedVersion }) =>
        sqlText`public.seat_table(${params.id}::uuid, ${body.party_size}::int, ${expectedVersion}::int,
                                         ${body.server_id}::uuid)`,
      shape: table,
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/clear',
    handler: mutation({
      fn: 'tables',
      params: idParams,
      body: versionOnlyBody,
      versioned: true,
      etagOf: 'table',
      call: ({ params, expectedVersion }) =>
        sqlText`public.clear_table(${params.id}::uuid, ${expectedVersion}::int)`,
      shape: table,
    }),
  },
])
