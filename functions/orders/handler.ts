// Orders, as the floor works them:
//   POST /orders                              place an order with items         {table_id, items, note?}
//   POST /orders/:id/items                    add items                         {items, expected_version?}
//   POST /orders/:id/courses/:course/fire     fire a held course                {expected_version?}
//   POST /orders/:id/courses/:course/hold     hold an unstarted course          {expected_version?}
//   POST /orders/:id/cancel                   cancel                            {reason?, expected_version?}
//   POST /orders/:id/serve                    mark everything ready as served   {expected_version?}
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { createHandler } from '../_shared/http.ts'
import { mutation } from '../_shared/mutation.ts'
import {
  addItemsBody,
  courseParams,
  idParams,
  placeOrderBody,
  reasonBody,
  versionOnlyBody,
} from '../_shared/schemas.ts'
import { z } from '../_shared/deps.ts'

type Json = Record<string, unknown>

export const handler = createHandler('orders', [
  {
    method: 'POST',
    pattern: '',
    handler: mutation({
      fn: 'orders',
      params: z.object({}),
      body: placeOrderBody,
      versioned: false,
      status: 201,
      etagOf: 'order',
      run: async (tx, { body }) => {
        const [row] = await tx<{ result: Json }[]>`
          select public.place_order(${body.table_id}::uuid, ${tx.json(body.items as never)}, ${body.note ?? null}) as result`
        return row!.result
      },
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/items',
    handler: mutation({
      fn: 'orders',
      params: idParams,
      body: addItemsBody,
      versioned: true,
      etagOf: 'order',
      run: async (tx, { params, body, expectedVersion }) => {
        const [row] = await tx<{ result: Json }[]>`
          select public.add_items(${params.id}::uuid, ${tx.json(body.items as never)}, ${expectedVersion}::int) as result`
        return row!.result
      },
    }),
  },
  ...(['fire', 'hold'] as const).map((action) => ({
    method: 'POST' as const,
    pattern: `/:id/courses/:course/${action}`,
    handler: mutation({
      fn: 'orders',
      params: courseParams,
      body: versionOnlyBody,
      versioned: true,
      run: async (tx, { params, expectedVersion }) => {
        const [row] = action === 'fire'
          ? await tx<{ result: Json }[]>`
              select public.fire_course(${params.id}::uuid, ${params.course}::int, ${expectedVersion}::int) as result`
          : await tx<{ result: Json }[]>`
              select public.hold_course(${params.id}::uuid, ${params.course}::int, ${expectedVersion}::int) as result`
        return row!.result
      },
    }),
  })),
  {
    method: 'POST',
    pattern: '/:id/cancel',
    handler: mutation({
      fn: 'orders',
      params: idParams,
      body: reasonBody,
      versioned: true,
      etagOf: 'order',
      run: async (tx, { params, body, expectedVersion }) => {
        const [row] = await tx<{ result: Json }[]>`
          select public.cancel_order(${params.id}::uuid, ${body.reason ?? null}, ${expectedVersion}::int) as result`
        return { order: row!.result }
      },
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/serve',
    handler: mutation({
      fn: 'orders',
      params: idParams,
      body: versionOnlyBody,
      versioned: true,
      etagOf: 'order',
      run: async (tx, { params, expectedVersion }) => {
        const [row] = await tx<{ result: Json }[]>`
          select public.mark_served(${params.id}::uuid, ${expectedVersion}::int) as result`
        return row!.result
      },
    }),
  },
])
