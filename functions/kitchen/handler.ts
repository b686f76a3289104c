// The kitchen's moves:
//   POST /kitchen/items/:id/start                        pending → preparing        {expected_version?}
//   POST /kitchen/items/:id/finish                       → ready                    {expected_version?}
//   POST /kitchen/items/:id/recall                       ready → preparing          {expected_version?}
//   POST /kitchen/items/:id/void                         → void                     {reason?, expected_version?}
//   POST /kitchen/orders/:id/stations/:station/bump      the station's ticket → ready
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { createHandler } from '../_shared/http.ts'
import { mutation } from '../_shared/mutation.ts'
import { bumpParams, idParams, noBody, reasonBody, versionOnlyBody } from '../_shared/schemas.ts'
import { sqlText } from '../_shared/sql-text.ts'

const item = (result: Record<string, unknown>) => ({ item: result })

function move(action: 'start' | 'finish' | 'recall') {
  return {
    method: 'POST' as const,
    pattern: `/items/:id/${action}`,
    handler: mutation({
      fn: 'kitchen',
      params: idParams,
      body: versionOnlyBody,
      versioned: true,
      etagOf: 'item',
      call: ({ params, expectedVersion }) =>
        action === 'start'
          ? sqlText`public.start_item(${params.id}::uuid, ${expectedVersion}::int)`
          : action === 'finish'
          ? sqlText`public.finish_item(${params.id}::uuid, ${expectedVersion}::int)`
          : sqlText`public.recall_item(${params.id}::uuid, ${expectedVersion}::int)`,
      shape: item,
    }),
  }
}

export const handler = createHandler('kitchen', [
  move('start'),
  move('finish'),
  move('recall'),
  {
    method: 'POST',
    pattern: '/items/:id/void',
    handler: mutation({
      fn: 'kitchen',
      params: idParams,
      body: reasonBody,
      versioned: true,
      etagOf: 'item',
      call: ({ params, body, expectedVersion }) =>
        sqlText`public.void_item(${params.id}::uuid, ${body.reason}, ${expectedVersion}::int)`,
      shape: item,
    }),
  },
  {
    method: 'POST',
    pattern: '/orders/:id/stations/:station/bump',
    handler: mutation({
      fn: 'kitchen',
      params: bumpParams,
      body: noBody,
      versioned: false,
      call: ({ params }) => sqlText`public.bump_ticket(${params.id}::uuid, ${params.station}::uuid)`,
    }),
  },
])
