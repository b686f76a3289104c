// Orders, as the floor works them:
//   POST /orders                              place an order with items         {table_id, items, note?}
//   POST /orders/:id/items                    add items                         {items, expected_version?}
//   POST /orders/:id/courses/:course/fire     fire a held course                {expected_version?}
//   POST /orders/:id/courses/:course/hold     hold an unstarted course          {expected_version?}
//   POST /orders/:id/cancel                   cancel                            {reason?, expected_version?}
//   POST /orders/:id/serve                    mark everything ready as served   {expected_version?}
//   POST /orders/:id/rush                     mark or unmark rush (expo, mgr)   {rush, expected_version?}
// Every route needs `Idempotency-Key`; the expected version may come as `If-Match: "<version>"` instead.
import { z } from '../_shared/deps.ts'
import { createHandler } from '../_shared/http.ts'
import { mutation } from '../_shared/mutation.ts'
import {
  addItemsBody,
  courseParams,
  idParams,
  placeOrderBody,
  reasonBody,
  rushBody,
  versionOnlyBody,
} from '../_shared/schemas.ts'
import { sqlText } from '../_shared/sql-text.ts'

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
      call: ({ body }) =>
        sqlText`public.place_order(${body.table_id}::uuid, ${body.items}::jsonb, ${body.note})`,
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
      call: ({ params, body, expectedVersion }) =>
        sqlText`public.add_items(${params.id}::uuid, ${body.items}::jsonb, ${expectedVersion}::int)`,
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/courses/:course/fire',
    handler: mutation({
      fn: 'orders',
      params: courseParams,
      body: versionOnlyBody,
      versioned: true,
      call: ({ params, expectedVersion }) =>
        sqlText`public.fire_course(${params.id}::uuid, ${params.course}::int, ${expectedVersion}::int)`,
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/courses/:course/hold',
    handler: mutation({
      fn: 'orders',
      params: courseParams,
      body: versionOnlyBody,
      versioned: true,
      call: ({ params, expectedVersion }) =>
        sqlText`public.hold_course(${params.id}::uuid, ${params.course}::int, ${expectedVersion}::int)`,
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/cancel',
    handler: mutation({
      fn: 'orders',
      params: idParams,
      body: reasonBody,
      versioned: true,
      etagOf: 'order',
      call: ({ params, body, expectedVersion }) =>
        sqlText`public.cancel_order(${params.id}::uuid, ${body.reason}, ${expectedVersion}::int)`,
      shape: (order) => ({ order }),
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
      call: ({ params, expectedVersion }) =>
        sqlText`public.mark_served(${params.id}::uuid, ${expectedVersion}::int)`,
    }),
  },
  {
    method: 'POST',
    pattern: '/:id/rush',
    handler: mutation({
      fn: 'orders',
      params: idParams,
      body: rushBody,
      versioned: true,
      etagOf: 'order',
      call: ({ params, body, expectedVersion }) =>
        sqlText`public.set_rush(${params.id}::uuid, ${body.rush}, ${expectedVersion}::int)`,
    }),
  },
])
