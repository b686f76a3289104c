// Orders, as the floor works them (routes, bodies and who may call them: the contract's route table,
// functions/README.md). Every route needs `Idempotency-Key`; the expected version may come as
// `If-Match: "<version>"` instead.
import { mutation } from '../_shared/mutation.ts'
import { functionHandler } from '../_shared/routes.ts'
import { sqlText } from '../_shared/sql-text.ts'

export const handler = functionHandler('orders', {
  placeOrder: mutation('placeOrder', {
    etagOf: 'order',
    call: ({ body }) =>
      sqlText`public.place_order(${body.table_id}::uuid, ${body.items}::jsonb, ${body.note})`,
  }),
  addItems: mutation('addItems', {
    etagOf: 'order',
    call: ({ params, body, expectedVersion }) =>
      sqlText`public.add_items(${params.id}::uuid, ${body.items}::jsonb, ${expectedVersion}::int)`,
  }),
  fireCourse: mutation('fireCourse', {
    call: ({ params, expectedVersion }) =>
      sqlText`public.fire_course(${params.id}::uuid, ${params.course}::int, ${expectedVersion}::int)`,
  }),
  holdCourse: mutation('holdCourse', {
    call: ({ params, expectedVersion }) =>
      sqlText`public.hold_course(${params.id}::uuid, ${params.course}::int, ${expectedVersion}::int)`,
  }),
  cancelOrder: mutation('cancelOrder', {
    etagOf: 'order',
    call: ({ params, body, expectedVersion }) =>
      sqlText`public.cancel_order(${params.id}::uuid, ${body.reason}, ${expectedVersion}::int)`,
    shape: (order) => ({ order }),
  }),
  serveOrder: mutation('serveOrder', {
    etagOf: 'order',
    call: ({ params, expectedVersion }) =>
      sqlText`public.mark_served(${params.id}::uuid, ${expectedVersion}::int)`,
  }),
  rushOrder: mutation('rushOrder', {
    etagOf: 'order',
    call: ({ params, body, expectedVersion }) =>
      sqlText`public.set_rush(${params.id}::uuid, ${body.rush}, ${expectedVersion}::int)`,
  }),
})
