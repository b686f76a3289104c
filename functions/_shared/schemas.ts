// Request schemas of the mutations (the database re-checks everything; these give clients field-level 400s
// before a transaction is opened).
import { z } from './deps.ts'
import { expectedVersion, freeText as label, reason, uuid } from './validate.ts'

export const orderLine = z.strictObject({
  menu_item_id: uuid('menu_item_id'),
  qty: z.int({ error: 'qty must be an integer' }).min(1, { error: 'qty must be between 1 and 99' })
    .max(99, { error: 'qty must be between 1 and 99' }),
  modifiers: z.array(label('a modifier', 100), { error: 'modifiers must be a list of strings' })
    .max(20, { error: 'at most 20 modifiers' }).optional(),
  allergens: z.array(label('an allergen', 100), { error: 'allergens must be a list of strings' })
    .max(20, { error: 'at most 20 allergens' }).optional(),
  notes: label('notes', 500).optional(),
  course: z.int({ error: 'course must be an integer' }).min(1, { error: 'course must be between 1 and 9' })
    .max(9, { error: 'course must be between 1 and 9' }).optional(),
  hold: z.boolean({ error: 'hold must be true or false' }).optional(),
})

export const orderLines = z.array(orderLine, { error: 'items must be a list of order lines' })
  .min(1, { error: 'items must not be empty' }).max(100, { error: 'at most 100 items per request' })

export const placeOrderBody = z.strictObject({
  table_id: uuid('table_id'),
  items: orderLines,
  note: label('note', 500).optional(),
})

export const addItemsBody = z.strictObject({
  items: orderLines,
  expected_version: expectedVersion.optional(),
})
export const versionOnlyBody = z.strictObject({ expected_version: expectedVersion.optional() })
export const reasonBody = z.strictObject({
  reason: reason.optional(),
  expected_version: expectedVersion.optional(),
})
export const noBody = z.strictObject({})
export const rushBody = z.strictObject({
  rush: z.boolean({ error: 'rush must be true or false' }),
  expected_version: expectedVersion.optional(),
})

export const seatBody = z.strictObject({
  party_size: z.int({ error: 'party_size must be an integer' }).min(1, {
    error: 'party_size must be between 1 and 100',
  })
    .max(100, { error: 'party_size must be between 1 and 100' }),
  server_id: uuid('server_id').optional(),
  expected_version: expectedVersion.optional(),
})

export const idParams = z.object({ id: uuid('the id in the path') })
export const courseParams = z.object({
  id: uuid('the order id in the path'),
  course: z.coerce.number({ error: 'course must be a number' }).int({ error: 'course must be an integer' })
    .min(1, { error: 'course must be between 1 and 9' }).max(9, { error: 'course must be between 1 and 9' }),
})
export const bumpParams = z.object({
  id: uuid('the order id in the path'),
  station: uuid('the station id in the path'),
})
