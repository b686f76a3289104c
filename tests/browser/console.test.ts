import type { Browser } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { SEED } from '../helpers/seed.ts'
import { testStack } from '../helpers/stack-env.ts'
import { launchBrowser, newTablet, screenshot, signIn, SLOW } from './browser.ts'
import { expoOrder, kdsTicket, metricTile, seatAndOrder, tableTile, waitLive } from './screens.ts'
import { orderOn } from './staff.ts'
import { type BrowserRestaurant, createBrowserRestaurant, PASSWORD } from './fixture.ts'

/**
 * The console (console/) in headless Chromium, served by the test stack at `/`, signed in as real staff of a
 * restaurant of its own, every action going through the client library to the real functions and gateway.
 */
describe('the console in a browser', () => {
  const { apiUrl, dbUrl } = testStack()
  let browser: Browser

  beforeAll(async () => {
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
  })

  it('lists the seeded accounts on the sign-in page', async () => {
    const { context, page } = await newTablet(browser, apiUrl)
    try {
      await page.goto('/')
      const accounts = page.getByRole('region', { name: 'Development accounts' })
      await expect.poll(
        () => accounts.locator(`button[data-email="${SEED.users.grill.email}"]`).count(),
        SLOW,
      ).toBe(1)
      expect(await accounts.getByText('plater-demo').count()).toBe(1)
      await screenshot(page, 'sign-in')
    } finally {
      await context.close()
    }
  })

  // A restaurant per test, so each test's tickets are its own in whatever order the shuffle runs them.
  describe('as the staff of a restaurant of its own', () => {
    let restaurant: BrowserRestaurant

    beforeEach(async () => {
      restaurant = await createBrowserRestaurant(dbUrl)
    })

    afterEach(async () => {
      await restaurant?.drop()
    })

    it('says why a sign-in failed and stays on the sign-in page', async () => {
      const { context, page } = await newTablet(browser, apiUrl)
      try {
        await signIn(page, restaurant.emails.grill, 'not-the-password')
        const form = page.getByRole('form', { name: 'Sign in' })
        await expect.poll(() => form.getByRole('alert').textContent(), SLOW).toMatch(/invalid/i)
      } finally {
        await context.close()
      }
    })

    it('signs a staff member in', async () => {
      const { context, page } = await newTablet(browser, apiUrl)
      try {
        await signIn(page, restaurant.emails.grill, PASSWORD)
        await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).count(), SLOW).toBe(0)
      } finally {
        await context.close()
      }
    })

    it(
      'carries an order from the server to the grill (and not the fry), through expo to the table, with the monitor watching',
      { timeout: 180_000 },
      async () => {
        const [grill, fry, server, expo, manager] = await Promise.all(
          ['grill', 'fry', 'server', 'expo', 'manager'].map(() => newTablet(browser, apiUrl)),
        )
        try {
          await Promise.all([
            signIn(grill!.page, restaurant.emails.grill, PASSWORD),
            signIn(fry!.page, restaurant.emails.fry, PASSWORD),
            signIn(server!.page, restaurant.emails.server, PASSWORD),
            signIn(expo!.page, restaurant.emails.expo, PASSWORD),
            signIn(manager!.page, restaurant.emails.manager, PASSWORD),
          ])
          await grill!.page.waitForURL('**/kds/grill')
          await fry!.page.waitForURL('**/kds/fry')
          await expo!.page.waitForURL('**/expo')
          await manager!.page.waitForURL('**/monitor') // a manager lands on Health
          await Promise.all([grill!, fry!, server!, expo!, manager!].map(({ page }) => waitLive(page)))

          // The server's order: one grill dish with a modifier and an allergen.
          await seatAndOrder(server!.page, 'T1', [{
            dish: 'Ribeye 300g',
            modifiers: 'medium rare',
            allergens: ['dairy'],
          }])
          const ticket = kdsTicket(grill!.page, 'T1')
          await ticket.waitFor()
          for (const said of ['Ribeye 300g', 'dairy', 'medium rare']) {
            expect(await ticket.textContent())
              .toContain(said)
          }

          // Sentinel: an order with a fry dish placed after it reaches the fry screen, so the fry screen was
          // listening — and it never showed T1. Its burger lands on the grill after T1 without moving T1.
          const before = await ticket.boundingBox()
          await seatAndOrder(server!.page, 'T2', [{ dish: 'Fries' }, { dish: 'Burger' }])
          await kdsTicket(fry!.page, 'T2').waitFor()
          expect(await kdsTicket(fry!.page, 'T1').count()).toBe(0)
          await kdsTicket(grill!.page, 'T2').waitFor()
          expect(await ticket.boundingBox()).toEqual(before)

          // Expo rushes T2: it goes first on expo and on the grill, marked; the undo puts it back.
          const firstTicket = () => grill!.page.locator('.tickets article.ticket').first()
          const firstOrder = () => expo!.page.locator('.orders article.order').first()
          await expoOrder(expo!.page, 'T2').getByRole('button', { name: 'Rush' }).click()
          await firstOrder().and(expoOrder(expo!.page, 'T2')).and(expo!.page.locator('[data-rush="true"]'))
            .waitFor()
          await firstTicket().and(kdsTicket(grill!.page, 'T2')).and(
            grill!.page.locator('[data-rush="true"][data-pending="false"]'),
          ).waitFor()
          expect(await firstTicket().locator('.rush-badge').textContent()).toBe('RUSH')
          await screenshot(grill!.page, 'kds')
          await expo!.page.locator('.toast').getByRole('button', { name: 'Undo' }).click()
          await firstTicket().and(ticket).waitFor()
          await firstOrder().and(expoOrder(expo!.page, 'T1')).waitFor()
          expect(await kdsTicket(grill!.page, 'T2').getAttribute('data-rush')).toBe('false')

          // The cook starts the dish (a tap) and bumps the ticket (the keyboard, as with a bump bar): it leaves the
          // grill's line and expo sees T1 ready.
          await ticket.getByRole('button', { name: 'Start' }).click()
          await ticket.locator('.item[data-status="preparing"][data-pending="false"]').waitFor()
          await ticket.focus()
          await grill!.page.keyboard.press('Enter')
          await kdsTicket(grill!.page, 'T1').waitFor({ state: 'detached' })
          await expoOrder(expo!.page, 'T1').and(expo!.page.locator('[data-status="ready"]')).waitFor()

          // A two-course table: the main is held until expo fires it, then the grill can start it.
          await seatAndOrder(server!.page, 'T3', [{ dish: 'Calamari' }, {
            dish: 'Ribeye 300g',
            course: 2,
            hold: true,
          }])
          const mains = kdsTicket(grill!.page, 'T3')
          await mains.locator('.item[data-status="held"]').waitFor()
          const fire = expoOrder(expo!.page, 'T3').locator('.course[data-course="2"]').getByRole('button', {
            name: 'Fire',
          })
          await fire.waitFor()
          await screenshot(expo!.page, 'expo')
          await fire.click()
          await mains.getByRole('button', { name: 'Start' }).waitFor()
          await screenshot(server!.page, 'server')

          // Expo serves T1: it leaves the pass; its server sees it served and clears the table.
          await expoOrder(expo!.page, 'T1').getByRole('button', { name: 'Serve' }).click()
          await expoOrder(expo!.page, 'T1').waitFor({ state: 'detached' })
          await tableTile(server!.page, 'T1').click()
          const t1 = server!.page.locator('[aria-label="Orders of T1"]')
          await t1.locator('article.order[data-status="served"][data-pending="false"]').waitFor()
          await t1.getByRole('button', { name: 'Clear table' }).click()
          await tableTile(server!.page, 'T1').and(
            server!.page.locator('[data-status="free"][data-pending="false"]'),
          ).waitFor()

          // The manager's monitor has been receiving the restaurant's feed all along.
          await expect.poll(
            async () => Number.parseFloat((await metricTile(manager!.page, 'p50').textContent()) ?? '0'),
            SLOW,
          )
            .toBeGreaterThan(0)
          // The gateway's own metrics need the secret key, which a browser never holds: the monitor says so.
          await manager!.page.getByRole('heading', { name: /Gateway.*metrics unavailable/ }).waitFor()
          expect(await metricTile(manager!.page, 'sockets').textContent()).toBe('–')
          // Each open console reports itself in presence; the monitor lists them (the five tablets of this test).
          await expect.poll(() =>
            manager!.page.getByRole('region', { name: 'Connected consoles' }).locator(
              'tbody tr[data-status="live"]',
            ).count(), SLOW).toBeGreaterThanOrEqual(5)
          // A few seconds of history in the charts before the picture.
          await expect.poll(
            () => manager!.page.locator('svg.chart').first().getAttribute('data-samples'),
            SLOW,
          ).toMatch(
            /^([5-9]|\d\d+)$/,
          )
          // A limit the figures cross raises an alert.
          const alerts = manager!.page.getByTestId('alerts')
          const p95Limit = manager!.page.getByRole('form', { name: 'Alert limits' }).getByLabel(
            'p95 latency (ms)',
          )
          await p95Limit.fill('600000')
          await expect.poll(() => alerts.textContent(), SLOW).not.toMatch(/Delivery p95/)
          await p95Limit.fill('0')
          await alerts.getByText(/Delivery p95 \d+ ms > 0 ms/).waitFor()
          await screenshot(manager!.page, 'monitor', { fullPage: true })
        } finally {
          await Promise.all([grill, fry, server, expo, manager].map((tablet) => tablet?.context.close()))
        }
      },
    )

    it('colours a ticket by its age, at the limits the station sets', async () => {
      await orderOn(restaurant, 'T4', 'Burger')
      const { context, page } = await newTablet(browser, apiUrl)
      try {
        await signIn(page, restaurant.emails.grill, PASSWORD)
        await page.waitForURL('**/kds/grill')
        await waitLive(page)
        const ticket = kdsTicket(page, 'T4')
        await ticket.waitFor()
        expect(await ticket.getAttribute('data-age')).toBe('fresh')

        // The page's clock (only Date, timers keep running) moves on; the defaults are 8 and 15 minutes.
        const start = Date.now()
        await page.clock.setFixedTime(start + 9 * 60_000)
        await ticket.and(page.locator('[data-age="warning"]')).waitFor()
        await page.clock.setFixedTime(start + 16 * 60_000)
        await ticket.and(page.locator('[data-age="late"]')).waitFor()
        expect(await ticket.locator('.age').textContent()).toMatch(/^1[56]:\d\d$/)
        await screenshot(page, 'kds-late')

        // The station moves its limits: the same ticket is within them again.
        await page.getByRole('button', { name: 'Settings' }).click()
        const timers = page.getByRole('form', { name: 'Ticket settings' })
        await timers.getByLabel('Late after (min)').fill('30')
        await timers.getByLabel('Warning after (min)').fill('20')
        await ticket.and(page.locator('[data-age="fresh"]')).waitFor()
      } finally {
        await context.close()
      }
    })
  })
})
