import type { Locator, Page } from 'playwright-core'

/** The console's screens as the tests read them: by role, label and the data attributes the screens set. */
export function statusPill(page: Page): Locator {
  return page.locator('.screen-head .status-pill')
}

export async function waitLive(page: Page): Promise<void> {
  await statusPill(page).and(page.locator('[data-status="live"]')).waitFor()
}

/** A KDS ticket (open, not bumped) of the table with this label, by its name (wherever the ticket shows the table). */
export function kdsTicket(page: Page, table: string): Locator {
  return page.locator('.tickets').getByRole('article', { name: new RegExp(`^Table ${table},`) })
}

export function expoOrder(page: Page, table: string): Locator {
  return page.locator('.orders article.order').filter({
    has: page.locator('.order-head .table', { hasText: new RegExp(`^${table}$`) }),
  })
}

export function tableTile(page: Page, label: string): Locator {
  return page.locator(`button.table-tile[data-table="${label}"]`)
}

export function metricTile(page: Page, name: string): Locator {
  return page.locator(`.tile[data-metric="${name}"] .value`)
}

/** A server seats a free table and sends one order from the menu; resolves once the order shows as sent. */
export async function seatAndOrder(
  page: Page,
  table: string,
  lines: { dish: string; modifiers?: string; allergens?: string[]; course?: number; hold?: boolean }[],
): Promise<void> {
  await tableTile(page, table).click()
  const seat = page.getByRole('form', { name: `Seat ${table}` })
  await seat.getByRole('button', { name: 'Seat' }).click()
  const orders = page.getByRole('region', { name: `Orders of ${table}` }).or(
    page.locator(`[aria-label="Orders of ${table}"]`),
  )
  await orders.first().waitFor()
  for (const line of lines) {
    await page.getByLabel('Menu').getByRole('button', { name: new RegExp(`^${line.dish}`) }).click()
    const added = page.getByLabel('Order lines').locator('li.line').last()
    if (line.modifiers) await added.getByLabel(/Modifiers/).fill(line.modifiers)
    for (const allergen of line.allergens ?? []) await added.getByLabel(allergen, { exact: true }).check()
    if (line.course) await added.getByLabel('Course').fill(String(line.course))
    if (line.hold) await added.getByLabel(/^hold/).check()
  }
  await page.getByRole('button', { name: 'Place order' }).click()
  await orders.first().locator('article.order').first().waitFor()
}
