import postgres from 'postgres'
import { describe, expect, it } from 'vitest'
import { testStack } from '../helpers/stack-env.ts'
import { SLOW } from './browser.ts'
import { routeBroadcasts } from './broadcasts.ts'
import { browserTestbed } from './fixture.ts'
import { LAPTOP, PHONE } from './inspect.ts'
import { tableTile } from './screens.ts'
import { openServer } from './server-floor.ts'
import { call, orderOn, staff } from './staff.ts'

/** The refusal the functions answer for this mutation, `{code, message}`, as the server's own client gets it. */
async function refusal(email: string, path: string): Promise<{ code: string; message: string }> {
  const failure = await call(await staff(email), path, {}).then(
    () => {
      throw new Error(`${path} was not refused`)
    },
    (error: Error) => error,
  )
  return JSON.parse(failure.message.slice(failure.message.indexOf(': ') + 2))
}

/**
 * A server's action refused by the database, which says why; the screen says the database's own reason, not a
 * generic one. The broadcasts are held back by the test while someone else changes the order or the table, so the
 * server acts on what the screen still shows. A cancel of an order the kitchen has started (managers only): the
 * reason in the rollback, and once the screen knows, on the disabled button. An order for a table a manager
 * cleared meanwhile: the pad clears at once (the order shows, sending), then the reason, and the lines back.
 */
describe("a refusal in the database's words", () => {
  const { apiUrl, dbUrl } = testStack()
  const bed = browserTestbed(dbUrl)

  for (const [device, viewport] of Object.entries({ phone: PHONE, laptop: LAPTOP })) {
    it(`a server's cancel of a started order, on a ${device}`, { timeout: 90_000 }, async () => {
      const itemId = await orderOn(bed.restaurant, 'T1', 'Burger')
      let broadcasts!: Awaited<ReturnType<typeof routeBroadcasts>>
      const { context, page } = await openServer(
        bed.browser,
        apiUrl,
        bed.restaurant,
        viewport,
        async (page) => {
          broadcasts = await routeBroadcasts(page)
        },
      )
      try {
        await tableTile(page, 'T1').click()
        const card = page.locator('[aria-label="Orders of T1"] article.order')
        await card.locator('.item[data-status="pending"]').waitFor()
        const orderId = (await card.getAttribute('data-order'))!

        broadcasts.hold()
        await call(await staff(bed.restaurant.emails.grill), `kitchen/items/${itemId}/start`, {})
        await card.getByRole('button', { name: 'Cancel order' }).click()
        await card.getByRole('button', { name: 'Really cancel?' }).click()

        const refused = await refusal(bed.restaurant.emails.server, `orders/${orderId}/cancel`)
        expect(refused).toEqual({
          code: 'forbidden',
          message: 'only a manager may cancel an order the kitchen has started',
        })
        const alert = page.locator('.toast[data-kind="error"]')
        await alert.waitFor()
        expect(await alert.locator('p').textContent()).toBe(
          `Rolled back — cancel order for T1: ${refused.message} (forbidden)`,
        )

        broadcasts.release()
        await card.locator('.item[data-status="preparing"]').waitFor()
        const cancel = card.getByRole('button', { name: 'Cancel order' })
        await expect.poll(() => cancel.isDisabled(), SLOW).toBe(true)
        const reason = page.locator(`[id="${await cancel.getAttribute('aria-describedby')}"]`)
        expect(await reason.textContent()).toBe(`Cancel: ${refused.message}`)
        expect(await reason.isVisible()).toBe(true)
      } finally {
        await context.close()
      }
    })

    it(`an order refused for a table cleared meanwhile comes back to the pad, on a ${device}`, {
      timeout: 90_000,
    }, async () => {
      let broadcasts!: Awaited<ReturnType<typeof routeBroadcasts>>
      const { context, page } = await openServer(
        bed.browser,
        apiUrl,
        bed.restaurant,
        viewport,
        async (page) => {
          broadcasts = await routeBroadcasts(page)
        },
      )
      try {
        await tableTile(page, 'T2').click()
        await page.getByRole('form', { name: 'Seat T2' }).getByRole('button', { name: 'Seat' }).click()
        await tableTile(page, 'T2').and(page.locator('[data-status="seated"][data-pending="false"]'))
          .waitFor()
        await page.getByLabel('Menu').getByRole('button', { name: /^Burger/ }).click()

        broadcasts.hold()
        const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
        const [table] = await sql<{ id: string }[]>`
          select id from public.dining_tables where restaurant_id = ${bed.restaurant.id} and label = 'T2'`
          .finally(() => sql.end())
        await call(await staff(bed.restaurant.emails.manager), `tables/${table!.id}/clear`, {})
        // The order's answer waits until the pad has been seen cleared for the next order.
        let answer!: () => void
        const answered = new Promise<void>((resolve) => (answer = resolve))
        await page.route('**/functions/v1/orders', async (route) => {
          await answered
          await route.continue()
        })
        await page.getByRole('button', { name: 'Place order' }).click()
        const summary = page.getByRole('region', { name: 'Order summary' })
        await summary.getByText('No dishes yet').waitFor()
        answer()

        const alert = page.locator('.toast[data-kind="error"]')
        await alert.waitFor()
        expect(await alert.locator('p').textContent()).toBe(
          'Rolled back — order for T2: table T2 is not seated (illegal_transition)',
        )
        const lines = page.getByRole('list', { name: 'Order lines' })
        expect(await lines.getByRole('spinbutton', { name: 'Qty for Burger' }).count()).toBe(1)
        expect(await summary.getByTestId('pad-total').textContent()).toBe('Total 16.00')
      } finally {
        await context.close()
      }
    })
  }
})
