import type { MenuItem, OrderLine } from '../../app/live.ts'

/** An order being written on the server's pad before it is sent. */
export interface DraftLine {
  key: number
  menuItem: MenuItem
  qty: number
  course: number
  hold: boolean
  modifiers: string
  allergens: string[]
  /** For the station's cook (the KDS shows it under the dish). */
  notes: string
}

export const ALLERGENS = ['gluten', 'dairy', 'nuts', 'peanuts', 'shellfish', 'fish', 'egg', 'soy', 'sesame']

/** The lines as the orders function takes them. */
export function toOrderItems(lines: DraftLine[]): OrderLine[] {
  return lines.map((line) => ({
    menuItemId: line.menuItem.id,
    qty: line.qty,
    course: line.course,
    ...(line.hold ? { hold: true } : {}),
    ...(line.modifiers.trim()
      ? { modifiers: line.modifiers.split(',').map((part) => part.trim()).filter(Boolean) }
      : {}),
    ...(line.allergens.length > 0 ? { allergens: line.allergens } : {}),
    ...(line.notes.trim() ? { notes: line.notes.trim() } : {}),
  }))
}

/** What the lines cost, in cents; undefined when a dish has no price (the menu gives prices to servers only). */
export function draftTotalCents(lines: DraftLine[]): number | undefined {
  let total = 0
  for (const line of lines) {
    if (line.menuItem.price_cents === undefined) return undefined
    total += line.qty * line.menuItem.price_cents
  }
  return total
}

/** Cents as the menu prints them. */
export function formatPrice(cents: number): string {
  return (cents / 100).toFixed(2)
}
