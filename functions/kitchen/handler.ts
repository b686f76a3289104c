// The kitchen's moves:
//   POST /kitchen/items/:id/start                        pending → preparing        {expected_version?}
//   POST /kitchen/items/:id/finish                       → ready                    {expected_version?}
//   POST /kitchen/items/:id/recall                       ready → preparing          {expected_version?}
//   POST /kitchen/items/:id/void                         → void                     {reason?, expected_version?}
//   POST /kitchen/orders/:id/stations/:station/bump      the station's ticket → ready
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { createHandler, type Route } from '../_shared/http.ts'
import { mutation } from '../_shared/mutation.ts'
import { bumpParams, idParams, noBody, reasonBody, versionOnlyBody } from '../_shared/schemas.ts'

type Json = Record<string, unknown>

const moves = {
  start: 'start_item',
  finish: 'finish_item',
  recall: 'recall_item',
} as const

const itemMoves: Route[] = Object.entries(moves).map(([action, rpc]) => ({
  method: 'POST',
  pattern: `/items/:id/${action}`,
  handler: mutation({
    fn: 'kitchen',
    params: idParams,
    body: versionOnlyBody,
    versioned: true,
    etagOf: 'item',
    run: async (tx, { params, expectedVersion }) => {
      // the function name comes from the fixed table above, never from the request
      const [row] = await tx<{ result: Json }[]>`
        select ${tx(`public.${rpc}`)}(${params.id}::uuid, ${expectedVersion}::int) as result`
      return { item: row!.result }
    },
  }),
}))

export const handler = createHandler('kitchen', [
  ...itemMoves,
  {
    method: 'POST',
    pattern: '/items/:id/void',
    handler: mutation({
      fn: 'kitchen',
      params: idParams,
      body: reasonBody,
      versioned: true,
      etagOf: 'item',
      run: async (tx, { params, body, expectedVersion }) => {
        const [row] = await tx<{ result: Json }[]>`
          select public.void_item(${params.id}::uuid, ${body.reason ?? null}, ${expectedVersion}::int) as result`
        return { item: row!.result }
      },
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
      run: async (tx, { params }) => {
        const [row] = await tx<{ result: Json }[]>`
          select public.bump_ticket(${params.id}::uuid, ${params.station}::uuid) as result`
        return row!.result
      },
    }),
  },
])

