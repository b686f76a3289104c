import { describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'
import { screenshot } from './browser.ts'
import { browserTestbed } from './fixture.ts'
import { LAPTOP, layoutProblems, PHONE, TABLET } from './inspect.ts'
import { fillServerScreen, openServer } from './server-floor.ts'

/**
 * The server's screen on a phone, a tablet and a laptop: with a table, its order and a line on the pad, nothing
 * of it reaches past the viewport (no sideways scroll), nothing is clipped, and every control is a 44 px target.
 * The top bar around it is the shell's (its own tests); this is the screen's body.
 */
describe("the server's screen fits the device", () => {
  const { apiUrl, dbUrl } = testStack()
  const bed = browserTestbed(dbUrl)

  for (const [device, viewport] of Object.entries({ phone: PHONE, tablet: TABLET, laptop: LAPTOP })) {
    it(`on a ${device} (${viewport.width}×${viewport.height})`, { timeout: 90_000 }, async () => {
      const { context, page } = await openServer(bed.browser, apiUrl, bed.restaurant, viewport)
      try {
        await fillServerScreen(page)
        expect(await layoutProblems(page, 'section.screen.server')).toEqual([])
        if (device === 'phone') {
          // As a phone shows it: the order on top, the pad's menu below with the summary at the bottom.
          await page.getByRole('tablist', { name: 'Menu categories' }).evaluate((tabs) =>
            tabs.scrollIntoView({ block: 'center' })
          )
          await screenshot(page, 'server-phone')
        }
      } finally {
        await context.close()
      }
    })
  }
})
