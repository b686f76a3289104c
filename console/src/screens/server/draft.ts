import type { MenuItem } from '../../app/live.ts';
import type { OrderLine } from '../../../../client/src/index.ts';

/** An order being written on the server's pad before it is sent. */
export interface DraftLine {
  key: number;
  menuItem: MenuItem;
  qty: number;
  course: number;
  hold: boolean;
  modifiers: string;
  allergens: string[];
}

export const ALLERGENS = ['gluten', 'dairy', 'nuts', 'peanuts', 'shellfish', 'fish', 'egg', 'soy', 'sesame'];

/** The lines as the orders function takes them. */
export function toOrderItems(lines: DraftLine[]): OrderLine[] {
  return lines.map((line) => ({
    menuItemId: line.menuItem.id,
    qty: line.qty,
    course: line.course,
    ...(line.hold ? { hold: true } : {}),
    ...(line.modifiers.trim() ? { modifiers: line.modifiers.split(',').map((part) => part.trim()).filter(Boolean) } : {}),
    ...(line.allergens.length > 0 ? { allergens: line.allergens } : {}),
  }));
}
