// One line of an order as a client sends it (`items` of `POST /orders` and `POST /orders/:id/items`); the
// database reads the same fields (`jsonb_to_recordset` in plater_private.insert_items) and re-checks them.
import { z } from 'zod'
import { freeText, intBetween, uuid } from './fields.ts'

export const ORDER_LINE_LIMITS = {
  qty: { min: 1, max: 99 },
  course: { min: 1, max: 9 },
  modifiers: 20,
  allergens: 20,
  labelLength: 100,
  notesLength: 500,
  /** Lines per request. */
  lines: { min: 1, max: 100 },
} as const

const L = ORDER_LINE_LIMITS

export const orderLine = z.strictObject({
  menu_item_id: uuid('menu_item_id'),
  qty: intBetween('qty', L.qty.min, L.qty.max),
  modifiers: z.array(freeText('a modifier', L.labelLength), { error: 'modifiers must be a list of strings' })
    .max(L.modifiers, { error: `at most ${L.modifiers} modifiers` }).optional(),
  allergens: z.array(freeText('an allergen', L.labelLength), { error: 'allergens must be a list of strings' })
    .max(L.allergens, { error: `at most ${L.allergens} allergens` }).optional(),
  notes: freeText('notes', L.notesLength).optional(),
  course: intBetween('course', L.course.min, L.course.max).optional(),
  hold: z.boolean({ error: 'hold must be true or false' }).optional(),
})

/** An order line as sent (after validation, as the functions pass it to the database). */
export type OrderLine = z.output<typeof orderLine>

export const orderLines = z.array(orderLine, { error: 'items must be a list of order lines' })
  .min(L.lines.min, { error: 'items must not be empty' })
  .max(L.lines.max, { error: `at most ${L.lines.max} items per request` })
