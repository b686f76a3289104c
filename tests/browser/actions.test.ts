import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'
import { launchBrowser, newTablet, screenshot, signIn, SLOW } from './browser.ts'
import { routeBroadcasts } from './broadcasts.ts'
import { type BrowserRestaurant, createBrowserRestaurant, PASSWORD } from './fixture.ts'
import { kdsTicket, waitLive } from './screens.ts'
import { call, orderOn, staff } from './staff.ts'

/**
 * Actions the server refuses or is slow to answer, as a cook sees them.
 *
 * Refused: a cook acts on a ticket the screen shows at an old version (what a tablet sees when someone else moved the
 * item a moment earlier): the server refuses the stale version and the console shows the move rolled back.
 * The staleness is real: the page's WebSocket is routed through the test, which holds back the broadcasts that
 * would have updated the screen while expo starts the item through the functions.
 */
describe("a cook's actions that are refused or slow", () => {
  const { apiUrl, dbUrl } = testStack()
  let browser: Browser
  let restaurant: BrowserRestaurant

  beforeAll(async () => {
    browser = await launchBrowser()
    restaurant = await createBrowserRestaurant(dbUrl)
  })

  afterAll(async () => {
    await browser?.close()
    await restaurant?.drop()
  })

  it('shows the refused move as rolled back', async () => {
    const itemId = await orderOn(restaurant, 'T3', 'Burger')

    const { context, page } = await newTablet(browser, apiUrl)
    const broadcasts = await routeBroadcasts(page)
    try {
      await signIn(page, restaurant.emails.grill, PASSWORD)
      await page.waitForURL('**/kds/grill')
      await waitLive(page)
      const ticket = kdsTicket(page, 'T3')
      await ticket.locator('.item[data-status="pending"]').waitFor()

      broadcasts.hold()
      await call(await staff(restaurant.emails.expo), `kitchen/items/${itemId}/start`, {})
      await ticket.getByRole('button', { name: 'Start' }).click()

      const alert = page.locator('.toast[data-kind="error"]')
      await alert.waitFor()
      expect(await alert.textContent()).toMatch(
        /^Rolled back — start Burger: someone else changed it first \(version_conflict\)/,
      )
      // The optimistic start is gone from the view (the screen shows what the server holds, not "sending…").
      await ticket.locator('.item[data-pending="false"]').waitFor()
      await screenshot(page, 'rolled-back')

      broadcasts.release()
      await ticket.locator('.item[data-status="preparing"][data-pending="false"]').waitFor()
    } finally {
      await context.close()
    }
  })

  it('shows a slow action as sending until the server answers', async () => {
    await orderOn(restaurant, 'T4', 'Burger')
    const { context, page } = await newTablet(browser, apiUrl)
    // The kitchen function's answer waits until the test lets it through.
    let answer!: () => void
    const answered = new Promise<void>((resolve) => (answer = resolve))
    await page.route('**/functions/v1/kitchen/**', async (route) => {
      await answered
      await route.continue()
    })
    try {
      await signIn(page, restaurant.emails.grill, PASSWORD)
      await page.waitForURL('**/kds/grill')
      await waitLive(page)
      const ticket = kdsTicket(page, 'T4')
      await ticket.getByRole('button', { name: 'Start' }).click()

      // At once: the item moved (optimistically) and says it is not confirmed; so does the top bar.
      const item = ticket.locator('.item[data-status="preparing"][data-pending="true"]')
      await item.waitFor()
      expect(await item.getByRole('button').textContent()).toBe('sending…')
      await page.getByTestId('connection').getByText('1 sending…').waitFor()

      answer()
      await ticket.locator('.item[data-status="preparing"][data-pending="false"]').waitFor()
      await expect.poll(() => page.getByTestId('connection').textContent(), SLOW).not.toContain('sending')
    } finally {
      await context.close()
    }
  })
})
