// The kitchen's moves (routes, bodies and who may call them: the contract's route table, functions/README.md).
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { mutation } from '../_shared/mutation.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'

const item = (result: Record<string, unknown>) => ({ item: result })

/** start, finish and recall: the same request (an optional expected version), one RPC each. */
function move(route: 'startItem' | 'finishItem' | 'recallItem') {
  return mutation(route, {
    etagOf: 'item',
    call: ({ params, expectedVersion }) =>
      route === 'startItem'
        ? sqlText`public.start_item(${params.id}::uuid, ${expectedVersion}::int)`
        : route === 'finishItem'
        ? sqlText`public.finish_item(${params.id}::uuid, ${expectedVersion}::int)`
        : sqlText`public.recall_item(${params.id}::uuid, ${expectedVersion}::int)`,
    shape: item,
  })
}

export const handler = functionHandler('kitchen', {
  startItem: move('startItem'),
  finishItem: move('finishItem'),
  recallItem: move('recallItem'),
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
