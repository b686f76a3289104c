import { describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'
import { seriousViolations } from './axe.ts'
import { SLOW } from './browser.ts'
import { browserTestbed } from './fixture.ts'
import { LAPTOP, PHONE } from './inspect.ts'
import { fillServerScreen, openServer } from './server-floor.ts'

/**
 * The sign-in page and the server's screen for people who use a screen reader or a keyboard: no serious or critical
 * axe-core violation, each pad line's controls named with their dish, each order card named.
 */
describe('the sign-in page and the server screen are accessible', () => {
  const { apiUrl, dbUrl } = testStack()
  const bed = browserTestbed(dbUrl)

  for (const [device, viewport] of Object.entries({ phone: PHONE, laptop: LAPTOP })) {
    it(`on a ${device}`, { timeout: 90_000 }, async () => {
      const { context, page } = await openServer(
        bed.browser,
        apiUrl,
        bed.restaurant,
        viewport,
        async (page) => {
          // The sign-in page first, with the development accounts listed (its fullest state).
          await page.goto('/')
          await expect.poll(() => page.locator('button.account').count(), SLOW).toBeGreaterThan(0)
          expect(await seriousViolations(page), 'sign-in').toEqual([])
        },
      )
      try {
        await fillServerScreen(page)
        const line = page.getByRole('list', { name: 'Order lines' }).getByRole('listitem')
        for (const control of ['Qty for Burger', 'Course for Burger']) {
          expect(await line.getByRole('spinbutton', { name: control, exact: true }).count(), control).toBe(1)
        }
        expect(await line.getByRole('textbox', { name: /^Modifiers for Burger/ }).count()).toBe(1)
        expect(await line.getByRole('textbox', { name: 'Note for Burger', exact: true }).count()).toBe(1)
        expect(
          await line.getByRole('group', { name: 'Allergens for Burger', exact: true }).getByRole('checkbox')
            .count(),
        ).toBe(9)
        expect(await line.getByRole('checkbox', { name: /^hold Burger/ }).count()).toBe(1)
        expect(await page.getByRole('article', { name: /^Order #[0-9a-f]{4} at T1$/ }).count()).toBe(1)
        expect(await seriousViolations(page), 'server screen').toEqual([])
      } finally {
        await context.close()
      }
    })
  }
})
