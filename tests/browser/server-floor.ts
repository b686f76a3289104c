import type { Browser, BrowserContext, Page } from 'playwright-core'
import { newDevice, signIn } from './browser.ts'
import { type BrowserRestaurant, PASSWORD } from './fixture.ts'
import { seatAndOrder, waitLive } from './screens.ts'

/**
 * The restaurant's server signed in on a device of this size, on their floor and live; `prepare` runs on the page
 * before it opens (to route its traffic).
 */
export async function openServer(
  browser: Browser,
  apiUrl: string,
  restaurant: BrowserRestaurant,
  viewport: { width: number; height: number },
  prepare?: (page: Page) => Promise<void>,
): Promise<{ context: BrowserContext; page: Page }> {
  const device = await newDevice(browser, apiUrl, viewport)
  await prepare?.(device.page)
  await signIn(device.page, restaurant.emails.server, PASSWORD)
  await device.page.waitForURL('**/server')
  await waitLive(device.page)
  return device
}

/**
 * The server screen with everything it can show: T1 seated with an order (a modifier and an allergen) and a
 * Burger on the pad, not yet sent.
 */
export async function fillServerScreen(page: Page): Promise<void> {
  await seatAndOrder(page, 'T1', [{ dish: 'Ribeye 300g', modifiers: 'medium rare', allergens: ['dairy'] }])
  await page.getByLabel('Menu').getByRole('button', { name: /^Burger/ }).click()
  await page.getByRole('list', { name: 'Order lines' }).getByRole('listitem').waitFor()
}
