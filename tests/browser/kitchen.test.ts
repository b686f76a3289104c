import type { SupabaseClient } from '@supabase/supabase-js'
import type { Page } from 'playwright-core'
import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'
import { screenshot, signIn, SLOW } from './browser.ts'
import { browserTestbed, PASSWORD } from './fixture.ts'
import { seriousViolations } from './axe.ts'
import { headerHeight, layoutProblems, MAX_HEADER_PX, newScreen, type Size, SIZES } from './inspect.ts'
import { expoOrder, kdsTicket, waitLive } from './screens.ts'
import { call, staff } from './staff.ts'

/**
 * The kitchen's screens (KDS, expo, the manager's Health monitor) and the shell around them, in Chromium at the
 * sizes a kitchen uses them, during a busy service: layout, accessibility, the manager's void and cancel,
 * what a ticket and an expo card say, new-ticket flash and sound, and presence nobody can forge.
 */
describe("the kitchen's screens", () => {
  const { apiUrl, dbUrl } = testStack()
  const bed = browserTestbed(dbUrl)

  /** Seven grill dishes (one with a long name), so the all-day line has more than five to show. */
  const GRILL_DISHES = [
    'Ribeye 300g',
    'Burger',
    'Lamb chops',
    'Chicken skewers',
    'Pork belly',
    'Halloumi',
    'Slow-roasted short rib with bone marrow butter',
  ]

  /** The line mid-service: T1 has two orders (the first rushed and started, seven grill dishes and fries). */
  async function busyService(): Promise<
    { first: { id: string; items: { id: string; name: string }[] }; second: { id: string } }
  > {
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
    try {
      await sql`insert into public.menu_items (restaurant_id, station_id, name, price_cents)
                select ${bed.restaurant.id}, ${bed.restaurant.stations.grill}, name, 1500
                  from unnest(${GRILL_DISHES.slice(2)}::text[]) name`
      const menu = await sql<
        { id: string; name: string }[]
      >`select id, name from public.menu_items where restaurant_id = ${bed.restaurant.id}`
      const dish = (name: string) => menu.find((item) => item.name === name)!.id
      const [table] = await sql<{ id: string }[]>`
        select id from public.dining_tables where restaurant_id = ${bed.restaurant.id} and label = 'T1'`
      const server = await staff(bed.restaurant.emails.server)
      await call(server, `tables/${table!.id}/seat`, { party_size: 3 })
      const first = await call(server, 'orders', {
        table_id: table!.id,
        items: [...GRILL_DISHES, 'Fries'].map((name) => ({ menu_item_id: dish(name), qty: 2 })),
      })
      const second = await call(server, 'orders', {
        table_id: table!.id,
        items: [{ menu_item_id: dish('Burger'), qty: 1 }],
      })
      const expo = await staff(bed.restaurant.emails.expo)
      await call(expo, `orders/${first.order.id}/rush`, { rush: true })
      const burger = first.items.find((item: { name: string }) => item.name === 'Burger')
      await call(await staff(bed.restaurant.emails.grill), `kitchen/items/${burger.id}/start`, {})
      return { first: { id: first.order.id, items: first.items }, second: { id: second.order.id } }
    } finally {
      await sql.end()
    }
  }

  /** KDS dish text is read from two metres away: a dish name under this size, as `dish text N px: name`. */
  const MIN_KDS_TEXT_PX = 20
  function smallDishText(page: Page): Promise<string[]> {
    return page.locator('.ticket .item-name').evaluateAll(
      (names, min) =>
        names.flatMap((name) => {
          const size = Number.parseFloat(getComputedStyle(name).fontSize)
          return size < min ? [`dish text ${size} px: ${name.textContent}`] : []
        }),
      MIN_KDS_TEXT_PX,
    )
  }

  async function open(
    email: string,
    size: Size,
    path: string,
  ): Promise<{ page: Page; close(): Promise<void> }> {
    const { context, page } = await newScreen(bed.browser, apiUrl, size)
    await signIn(page, email, PASSWORD)
    await page.waitForURL(`**${path}`)
    await waitLive(page)
    return { page, close: () => context.close() }
  }

  it(
    'fits the tablet, the laptop and the wall: one header row, no sideways scroll, nothing cut off, 44 px targets, 20 px dishes',
    { timeout: 180_000 },
    async () => {
      await busyService()
      const screens = [
        {
          email: bed.restaurant.emails.grill,
          path: '/kds/grill',
          ready: (page: Page) => kdsTicket(page, 'T1').first().waitFor(),
        },
        {
          email: bed.restaurant.emails.expo,
          path: '/expo',
          ready: (page: Page) => expoOrder(page, 'T1').first().waitFor(),
        },
        {
          email: bed.restaurant.emails.manager,
          path: '/monitor',
          ready: (page: Page) => page.locator('svg.chart[data-samples="3"]').first().waitFor(),
        },
      ]
      for (const screen of screens) {
        const { page, close } = await open(screen.email, 'tablet', screen.path)
        try {
          await screen.ready(page)
          for (const size of ['tablet', 'laptop', 'wall'] as const) {
            await page.setViewportSize(SIZES[size])
            const problems = [...(await layoutProblems(page)), ...(await smallDishText(page))]
            expect({ size, path: screen.path, problems }).toEqual({ size, path: screen.path, problems: [] })
            expect(await headerHeight(page), `${screen.path} at ${size}`).toBeLessThanOrEqual(MAX_HEADER_PX)
            if (size !== 'laptop') await screenshot(page, `${size}-${screen.path.split('/')[1]}`)
          }
        } finally {
          await close()
        }
      }
      // The KDS's all-day line shows every dish to cook (seven on the grill), none hidden behind a scroll.
      const { page, close } = await open(bed.restaurant.emails.grill, 'tablet', '/kds/grill')
      try {
        const chips = page.getByRole('list', { name: 'All day' }).locator('li.chip')
        await expect.poll(() => chips.count(), SLOW).toBe(GRILL_DISHES.length)
        for (const chip of await chips.all()) expect(await chip.isVisible()).toBe(true)
      } finally {
        await close()
      }
    },
  )

  it("keeps the header to one row on a server's phone, Sign out in reach", async () => {
    const { page, close } = await open(bed.restaurant.emails.server, 'phone', '/server')
    try {
      expect(await headerHeight(page)).toBeLessThanOrEqual(MAX_HEADER_PX)
      const header = await page.locator('header.topbar').evaluate((el) => ({
        scroll: el.scrollWidth,
        width: el.clientWidth,
      }))
      expect(header.scroll).toBeLessThanOrEqual(header.width)
      const signOut = (await page.getByRole('button', { name: 'Sign out' }).boundingBox())!
      expect(signOut.x + signOut.width).toBeLessThanOrEqual(SIZES.phone.width)
      expect(signOut.height).toBeGreaterThanOrEqual(44)
    } finally {
      await close()
    }
  })

  it('has no serious or critical axe violations on the KDS, expo, the monitor and the open screen menu', {
    timeout: 120_000,
  }, async () => {
    await busyService()
    const found: Record<string, unknown[]> = {}
    for (
      const [email, path] of [
        [bed.restaurant.emails.grill, '/kds/grill'],
        [bed.restaurant.emails.expo, '/expo'],
        [bed.restaurant.emails.manager, '/monitor'],
      ] as const
    ) {
      const { page, close } = await open(email, 'tablet', path)
      try {
        if (path === '/kds/grill') await kdsTicket(page, 'T1').first().waitFor()
        if (path === '/expo') await expoOrder(page, 'T1').first().waitFor()
        found[path] = await seriousViolations(page)
        if (path === '/monitor') {
          await page.getByRole('button', { name: /change screen/ }).click()
          await page.getByRole('navigation', { name: 'Screens' }).waitFor()
          found['shell with the screen menu open'] = await seriousViolations(page)
        }
      } finally {
        await close()
      }
    }
    expect(found).toEqual({
      '/kds/grill': [],
      '/expo': [],
      '/monitor': [],
      'shell with the screen menu open': [],
    })
  })

  it('names every control and card by its dish or order; tickets and cards say the order, server, guests and course', async () => {
    const { first, second } = await busyService()
    const kds = await open(bed.restaurant.emails.grill, 'tablet', '/kds/grill')
    const expo = await open(bed.restaurant.emails.expo, 'tablet', '/expo')
    try {
      const number = (id: string) => `#${id.slice(0, 4)}`
      // Two orders of one table are two tickets and two cards, each named with its own order number.
      const ticket = kds.page.getByRole('article', {
        name: new RegExp(`^Table T1, order ${number(first.id)}, rush`),
      })
      await ticket.waitFor()
      await kds.page.getByRole('article', { name: new RegExp(`^Table T1, order ${number(second.id)},`) })
        .waitFor()
      // The ticket's head, in order: table, rush, order number, age, who took it and for how many, the course.
      const head = await ticket.locator('header').evaluate((el) =>
        [...el.querySelectorAll('*')].filter((part) => part.children.length === 0).map((part) =>
          part.textContent
        )
      )
      expect(head).toEqual([
        'T1',
        'RUSH',
        number(first.id),
        expect.stringMatching(/\d/),
        'Ana (server) · 3 guests',
        'course 1',
      ])
      // Then its dishes, numbered for the bump bar's digit keys, each with the one move it offers now.
      const dishes = await ticket.getByRole('listitem').allTextContents()
      expect(dishes).toHaveLength(GRILL_DISHES.length)
      dishes.forEach((dish, index) =>
        expect(dish).toMatch(new RegExp(`^${index + 1}\\. 2× .+(Start|Finish)$`))
      )
      await ticket.getByRole('button', { name: 'Finish 2× Burger' }).waitFor()
      await ticket.getByRole('button', { name: 'Start 2× Lamb chops' }).waitFor()
      await ticket.getByRole('button', { name: `Bump T1 ${number(first.id)}` }).waitFor()

      const card = expo.page.getByRole('article', { name: new RegExp(`^T1 order ${number(first.id)}, rush`) })
      await card.waitFor()
      await expo.page.getByRole('article', { name: new RegExp(`^T1 order ${number(second.id)},`) }).waitFor()
      expect(await card.locator('.order-meta').textContent()).toBe('Ana (server) · 3 guests')
      // Each station's dishes, with their state.
      const grill = card.getByRole('region', { name: 'Grill dishes' })
      expect(await grill.locator('li.dish[data-status="preparing"] .dish-name').textContent()).toBe(
        '2× Burger',
      )
      expect(await grill.locator('li.dish').count()).toBe(GRILL_DISHES.length)
      expect(await card.getByRole('region', { name: 'Fry dishes' }).locator('li.dish').textContent()).toMatch(
        /2× Fries\s*waiting/,
      )
      await card.getByRole('progressbar', { name: 'Grill: ready' }).waitFor()
      await card.getByRole('button', { name: `Unrush T1 ${number(first.id)}` }).waitFor()
      await card.getByRole('button', { name: `Serve T1 ${number(first.id)}` }).waitFor()
      // Expo is not a manager: no void, no cancel.
      expect(await card.getByRole('button', { name: /^Void|^Cancel order/ }).count()).toBe(0)
    } finally {
      await Promise.all([kds.close(), expo.close()])
    }
  })

  it('lets a manager void a started dish and cancel a started order from expo, each with a reason, once confirmed', async () => {
    const { first, second } = await busyService()
    const manager = await open(bed.restaurant.emails.manager, 'tablet', '/monitor')
    const kds = await open(bed.restaurant.emails.grill, 'tablet', '/kds/grill')
    try {
      await manager.page.getByRole('button', { name: /change screen/ }).click()
      await manager.page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: 'Expo' })
        .click()
      await manager.page.waitForURL('**/expo')
      const card = expoOrder(manager.page, 'T1').and(manager.page.locator(`[data-order="${first.id}"]`))
      await card.waitFor()

      // Void the started burger: asked first (backing out changes nothing), then done with the reason given.
      await card.getByRole('button', { name: 'Void 2× Burger' }).click()
      const dialog = manager.page.getByRole('dialog', { name: 'Void 2× Burger?' })
      await dialog.getByRole('button', { name: 'Keep it' }).click()
      await dialog.waitFor({ state: 'hidden' })
      await card.getByRole('button', { name: 'Void 2× Burger' }).click()
      await dialog.getByLabel('Reason').fill('guest changed their mind')
      await dialog.getByRole('button', { name: 'Void dish' }).click()
      await card.locator('li.dish', { hasText: 'Burger' }).waitFor({ state: 'detached' })
      const ticket = kdsTicket(kds.page, 'T1').and(kds.page.locator(`[data-order="${first.id}"]`))
      await ticket.locator('.item', { hasText: 'Burger' }).waitFor({ state: 'detached' })

      // Cancel the whole (started) order.
      await card.getByRole('button', { name: 'Cancel order' }).click()
      const cancel = manager.page.getByRole('dialog', { name: `Cancel T1 #${first.id.slice(0, 4)}?` })
      await cancel.getByLabel('Reason').fill('table left')
      await cancel.getByRole('button', { name: 'Cancel order' }).click()
      await card.waitFor({ state: 'detached' })
      await ticket.waitFor({ state: 'detached' })
      // The other order of the table is untouched.
      await manager.page.locator(`.orders article.order[data-order="${second.id}"]`).waitFor()

      const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
      try {
        const reasons = await sql<{ name: string; void_reason: string }[]>`
          select name, void_reason from public.order_items where order_id = ${first.id} and name in ('Burger', 'Fries')`
        expect(Object.fromEntries(reasons.map((row) => [row.name, row.void_reason]))).toEqual({
          Burger: 'guest changed their mind',
          Fries: 'table left',
        })
      } finally {
        await sql.end()
      }
    } finally {
      await Promise.all([manager.close(), kds.close()])
    }
  })

  it("shows the database's own reason when it refuses a manager's cancel (a dish was served meanwhile)", async () => {
    const { first } = await busyService()
    const burger = first.items.find((item) => item.name === 'Burger')!
    await call(await staff(bed.restaurant.emails.grill), `kitchen/items/${burger.id}/finish`, {})
    const manager = await open(bed.restaurant.emails.manager, 'tablet', '/monitor')
    try {
      await manager.page.goto('/expo')
      await waitLive(manager.page)
      const card = manager.page.locator(`.orders article.order[data-order="${first.id}"]`)
      await card.getByRole('button', { name: 'Cancel order' }).click()
      const dialog = manager.page.getByRole('dialog', { name: `Cancel T1 #${first.id.slice(0, 4)}?` })
      await dialog.getByLabel('Reason').fill('table left')
      // While the manager types, expo sends the ready burger out.
      await call(await staff(bed.restaurant.emails.expo), `orders/${first.id}/serve`, {})
      await card.locator('li.dish[data-status="served"]').waitFor()
      await dialog.getByRole('button', { name: 'Cancel order' }).click()

      const alert = manager.page.locator('.toast').getByText(/cancel T1/)
      await alert.waitFor()
      expect(await alert.textContent()).toContain('an order with served items cannot be cancelled')
      await card.and(manager.page.locator('[data-pending="false"]')).waitFor() // rolled back: still on the pass
      expect(await card.getByRole('button', { name: 'Cancel order' }).count()).toBe(0) // and no longer offered
    } finally {
      await manager.close()
    }
  })

  it('flashes a ticket that arrives while the screen is open, and chimes only where this device turned the sound on', async () => {
    const server = await staff(bed.restaurant.emails.server)
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
    const [burger] = await sql<
      { id: string }[]
    >`select id from public.menu_items where restaurant_id = ${bed.restaurant.id} and name = 'Burger'`
    const tables = await sql<
      { id: string; label: string }[]
    >`select id, label from public.dining_tables where restaurant_id = ${bed.restaurant.id}`
    await sql.end()
    const order = async (label: string) => {
      const table = tables.find((t) => t.label === label)!
      await call(server, `tables/${table.id}/seat`, { party_size: 2 })
      await call(server, 'orders', { table_id: table.id, items: [{ menu_item_id: burger!.id, qty: 1 }] })
    }
    await order('T1')
    const { context, page } = await newScreen(bed.browser, apiUrl, 'tablet')
    // Counts the tones the page starts (Web Audio is silent in headless Chromium).
    await context.addInitScript(() => {
      ;(window as unknown as { chimes: number }).chimes = 0
      const start = OscillatorNode.prototype.start
      OscillatorNode.prototype.start = function (...args: Parameters<typeof start>) {
        ;(window as unknown as { chimes: number }).chimes++
        return start.apply(this, args)
      }
    })
    try {
      await signIn(page, bed.restaurant.emails.grill, PASSWORD)
      await page.waitForURL('**/kds/grill')
      await waitLive(page)
      const chimes = () => page.evaluate(() => (window as unknown as { chimes: number }).chimes)
      await kdsTicket(page, 'T1').waitFor()
      expect(await kdsTicket(page, 'T1').getAttribute('data-arrived')).toBe('false')

      await order('T2')
      await kdsTicket(page, 'T2').and(page.locator('[data-arrived="true"]')).waitFor()
      expect(await kdsTicket(page, 'T1').getAttribute('data-arrived')).toBe('false')
      expect(await chimes()).toBe(0) // off by default
      await kdsTicket(page, 'T2').and(page.locator('[data-arrived="false"]')).waitFor() // the flash ends

      await page.getByRole('button', { name: 'Settings' }).click()
      await page.getByRole('form', { name: 'Ticket settings' }).getByLabel(/Sound on new tickets/).check()
      await page.reload()
      await waitLive(page)
      await kdsTicket(page, 'T2').waitFor()
      await order('T3')
      await kdsTicket(page, 'T3').and(page.locator('[data-arrived="true"]')).waitFor()
      await expect.poll(chimes, SLOW).toBeGreaterThan(0)
    } finally {
      await context.close()
    }
  })

  it('lands a manager on Health, whose charts have a time axis', async () => {
    const { page, close } = await open(bed.restaurant.emails.manager, 'tablet', '/monitor')
    try {
      const axis = page.getByRole('list', { name: 'Time' }).first()
      await expect.poll(() => axis.locator('time').count(), SLOW).toBe(5)
      for (const label of await axis.locator('time').allTextContents()) {
        expect(label).toMatch(/^\d\d:\d\d:\d\d$/)
      }
    } finally {
      await close()
    }
  })

  it('shows only server-verified consoles on the monitor, whatever staff write into presence', {
    timeout: 120_000,
  }, async () => {
    const manager = await open(bed.restaurant.emails.manager, 'tablet', '/monitor')
    const grill = await open(bed.restaurant.emails.grill, 'tablet', '/kds/grill')
    const consoles = manager.page.getByRole('region', { name: 'Connected consoles' })
    const rows = () =>
      consoles.locator('tbody tr td:first-child').allTextContents().then((names) => names.sort())
    const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
    const [{ user_id: managerId }] = (await sql<{ user_id: string }[]>`
      select user_id from public.staff where restaurant_id = ${bed.restaurant.id} and role = 'manager'`) as unknown as [
      { user_id: string },
    ]
    await sql.end()
    const intruders: SupabaseClient[] = []
    try {
      await expect.poll(rows, SLOW).toEqual(['Gus (grill) · cook', 'Maya (manager) · manager'])

      // A cook, with a few lines of supabase-js, tracks on the crew topic under the manager's user id: metas
      // that are not reports at all, a name and role, and the manager's own signed report with a field changed.
      const join = async () => {
        const cook = await staff(bed.restaurant.emails.fry)
        intruders.push(cook)
        await cook.realtime.setAuth()
        const channel = cook.channel(`crew:${bed.restaurant.id}`, {
          config: { private: true, presence: { key: managerId, enabled: true } },
        })
        await new Promise<void>((resolve, reject) =>
          channel.subscribe((
            status,
          ) => (status === 'SUBSCRIBED'
            ? resolve()
            : status === 'CHANNEL_ERROR'
            ? reject(new Error(status))
            : undefined)
          )
        )
        return channel
      }
      const first = await join()
      await expect.poll(() => (first.presenceState()[managerId] ?? []).length, SLOW).toBeGreaterThan(0)
      const { presence_ref: _ref, ...report } = first.presenceState()[managerId]![0] as unknown as Record<
        string,
        unknown
      >
      const forged = { ...report, screen: '/owned' }
      const metas = [{}, { role: 5 }, { name: { a: 1 } }, { name: 'Maya (manager)', role: 'manager' }, forged]
      await first.track(metas[0]!)
      for (const meta of metas.slice(1)) await (await join()).track(meta)

      // Every one of them seen and refused; the two real consoles still listed, named by the server.
      await expect.poll(() => consoles.getByTestId('ignored-presence').getAttribute('data-count'), SLOW).toBe(
        String(metas.length),
      )
      expect(await manager.page.getByText('Something went wrong').count()).toBe(0)
      expect(await rows()).toEqual(['Gus (grill) · cook', 'Maya (manager) · manager'])
      expect(await consoles.getByText('/owned').count()).toBe(0)

      // And after a reload, with all of it still in presence.
      await manager.page.reload()
      await waitLive(manager.page)
      await expect.poll(rows, SLOW).toEqual(['Gus (grill) · cook', 'Maya (manager) · manager'])
      expect(await consoles.getByTestId('ignored-presence').getAttribute('data-count')).toBe(
        String(metas.length),
      )
      expect(await manager.page.getByText('Something went wrong').count()).toBe(0)
    } finally {
      await Promise.all(intruders.map((client) => client.removeAllChannels()))
      await Promise.all([manager.close(), grill.close()])
    }
  })
})
