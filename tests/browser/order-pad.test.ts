import type { Locator } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'
import { newTablet, signIn, SLOW } from './browser.ts'
import { browserTestbed, PASSWORD } from './fixture.ts'
import { LAPTOP, PHONE } from './inspect.ts'
import { kdsTicket, tableTile, waitLive } from './screens.ts'
import { openServer } from './server-floor.ts'

/** On screen (inside the viewport) and on top: a tap there lands on it. */
function reachable(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect()
    if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) return false
    const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)
    return hit !== null && element.contains(hit)
  })
}

/**
 * The server's order pad: the menu in category tabs, a note for the whole order and one per line, the total,
 * and the summary with the send button in view while the server is in the menu; the order then shows on the
 * server's card with its modifiers, allergens and notes, and the line's note on the station's KDS.
 */
describe("the server's order pad", () => {
  const { apiUrl, dbUrl } = testStack()
  const bed = browserTestbed(dbUrl)

  for (const [device, viewport] of Object.entries({ phone: PHONE, laptop: LAPTOP })) {
    it(`on a ${device}`, { timeout: 120_000 }, async () => {
      const server = await openServer(bed.browser, apiUrl, bed.restaurant, viewport)
      const fry = await newTablet(bed.browser, apiUrl)
      try {
        await signIn(fry.page, bed.restaurant.emails.fry, PASSWORD)
        await fry.page.waitForURL('**/kds/fry')
        await waitLive(fry.page)

        const { page } = server
        await tableTile(page, 'T1').click()
        await page.getByRole('form', { name: 'Seat T1' }).getByRole('button', { name: 'Seat' }).click()
        const tabs = page.getByRole('tablist', { name: 'Menu categories' })
        await tabs.waitFor()
        const [first, ...categories] = await tabs.getByRole('tab').allTextContents()
        expect([first, categories.sort()]).toEqual(['All', ['Fry', 'Grill']])
        const dishes = page.getByRole('tabpanel')
        await tabs.getByRole('tab', { name: 'Fry' }).click()
        expect((await dishes.getByRole('button').allTextContents()).sort()).toEqual([
          'Calamari12.00',
          'Fries5.00',
        ])
        await dishes.getByRole('button', { name: /^Calamari/ }).click()
        // The tabs take the keyboard too (arrows, Home, End), as the WAI-ARIA tabs pattern has it.
        await tabs.getByRole('tab', { name: 'Fry' }).focus()
        await page.keyboard.press('Home')
        expect(await tabs.getByRole('tab', { selected: true }).textContent()).toBe('All')
        await page.keyboard.press('End')
        await page.keyboard.press('ArrowRight')
        expect(await tabs.getByRole('tab', { selected: true }).textContent()).toBe('All')
        await tabs.getByRole('tab', { name: 'Grill' }).click()
        await dishes.getByRole('button', { name: /^Ribeye 300g/ }).click()

        const lines = page.getByRole('list', { name: 'Order lines' })
        await lines.getByRole('spinbutton', { name: 'Qty for Calamari' }).fill('2')
        await lines.getByRole('textbox', { name: 'Note for Calamari' }).fill('no salt')
        await lines.getByRole('textbox', { name: /^Modifiers for Ribeye 300g/ }).fill('medium rare')
        await lines.getByRole('group', { name: 'Allergens for Ribeye 300g' }).getByRole('checkbox', {
          name: 'dairy',
        }).check()
        await page.getByRole('textbox', { name: 'Order note' }).fill('birthday: bring a candle')

        const summary = page.getByRole('region', { name: 'Order summary' })
        expect(await summary.getByTestId('pad-total').textContent()).toBe('Total 58.00')
        // Back at the menu, the summary and its button are still in view.
        await tabs.evaluate((element) => element.scrollIntoView({ block: 'center' }))
        const send = summary.getByRole('button', { name: 'Place order' })
        expect(await reachable(send)).toBe(true)
        await send.click()

        const card = page.locator('[aria-label="Orders of T1"] article.order[data-pending="false"]')
        await card.waitFor()
        // the order's row and its items' rows arrive as separate messages: the card fills in as they land
        await expect.poll(() => card.locator('.note').allTextContents(), SLOW).toEqual([
          '“birthday: bring a candle”',
          '“no salt”',
        ])
        await expect.poll(() => card.locator('.modifier').allTextContents(), SLOW).toEqual(['medium rare'])
        await expect.poll(() => card.locator('.allergen').allTextContents(), SLOW).toEqual([
          'allergen: dairy',
        ])
        await kdsTicket(fry.page, 'T1').locator('.note', { hasText: 'no salt' }).waitFor()
      } finally {
        await Promise.all([server.context.close(), fry.context.close()])
      }
    })
  }
})
