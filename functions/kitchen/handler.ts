// The kitchen's moves (routes, bodies and who may call them: the contract's route table, functions/README.md).
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { mutation } from '../_shared/mutation.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'

const item = (result: Record<string, unknown>) => ({ item: result })

export const handler = functionHandler('kitchen', {
  startItem: mutation('startItem', {
    etagOf: 'item',
    call: ({ params, expectedVersion }) =>
      sqlText`public.start_item(${params.id}::uuid, ${expectedVersion}::int)`,
    shape: item,
  }),
  finishItem: mutation('finishItem', {
    etagOf: 'item',
    call: ({ params, expectedVersion }) =>
      sqlText`public.finish_item(${params.id}::uuid, ${expectedVersion}::int)`,
    shape: item,
  }),
  recallItem: mutation('recallItem', {
    etagOf: 'item',
    call: ({ params, expectedVersion }) =>
      sqlText`public.recall_item(${params.id}::uuid, ${expectedVersion}::int)`,
    shape: item,
  }),
  voidItem: mutation('voidItem', {
    etagOf: 'item',
    call: ({ params, body, expectedVersion }) =>
      sqlText`public.void_item(${params.id}::uuid, ${body.reason}, ${expectedVersion}::int)`,
    shape: item,
  }),
  bumpTicket: mutation('bumpTicket', {
    call: ({ params }) => sqlText`public.bump_ticket(${params.id}::uuid, ${params.station}::uuid)`,
  }),
})
