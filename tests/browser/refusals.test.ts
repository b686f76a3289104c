import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testStack } from '../helpers/stack-env.ts';
import { launchBrowser, SLOW } from './browser.ts';
import { routeBroadcasts } from './broadcasts.ts';
import { type BrowserRestaurant, createBrowserRestaurant } from './fixture.ts';
import { LAPTOP, PHONE } from './layout.ts';
import { tableTile } from './screens.ts';
import { openServer } from './server-floor.ts';
import { call, orderOn, staff } from './staff.ts';

/** The refusal the functions answer for this mutation, `{code, message}`, as the server's own client gets it. */
async function refusal(email: string, path: string): Promise<{ code: string; message: string }> {
  const failure = await call(await staff(email), path, {}).then(
    () => {
      throw new Error(`${path} was not refused`);
    },
    (error: Error) => error,
  );
  return JSON.parse(failure.message.slice(failure.message.indexOf(': ') + 2));
}

/**
 * A server cancels an order the kitchen has started (the database allows that to managers only). The screen says
 * the database's own reason, not a generic one: when the cancel goes out before the screen knew (the broadcasts
 * held back by the test while the cook starts the dish), in the rollback; once it knows, on the disabled button.
 */
describe("a refusal in the database's words", () => {
  const { apiUrl, dbUrl } = testStack();
  let browser: Browser;
  let restaurant: BrowserRestaurant;

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    restaurant = await createBrowserRestaurant(dbUrl);
  });
  afterEach(async () => {
    await restaurant?.drop();
  });

  for (const [device, viewport] of Object.entries({ phone: PHONE, laptop: LAPTOP })) {
    it(`a server's cancel of a started order, on a ${device}`, { timeout: 90_000 }, async () => {
      const itemId = await orderOn(restaurant, 'T1', 'Burger');
      let broadcasts!: Awaited<ReturnType<typeof routeBroadcasts>>;
      const { context, page } = await openServer(browser, apiUrl, restaurant, viewport, async (page) => {
        broadcasts = await routeBroadcasts(page);
      });
      try {
        await tableTile(page, 'T1').click();
        const card = page.locator('[aria-label="Orders of T1"] article.order');
        await card.locator('.item[data-status="pending"]').waitFor();
        const orderId = (await card.getAttribute('data-order'))!;

        broadcasts.hold();
        await call(await staff(restaurant.emails.grill), `kitchen/items/${itemId}/start`, {});
        await card.getByRole('button', { name: 'Cancel order' }).click();
        await card.getByRole('button', { name: 'Really cancel?' }).click();

        const refused = await refusal(restaurant.emails.server, `orders/${orderId}/cancel`);
        expect(refused).toEqual({ code: 'forbidden', message: 'only a manager may cancel an order the kitchen has started' });
        const alert = page.locator('.toast[data-kind="error"]');
        await alert.waitFor();
        expect(await alert.locator('p').textContent()).toBe(`Rolled back — cancel order for T1: ${refused.message} (forbidden)`);

        broadcasts.release();
        await card.locator('.item[data-status="preparing"]').waitFor();
        const cancel = card.getByRole('button', { name: 'Cancel order' });
        await expect.poll(() => cancel.isDisabled(), SLOW).toBe(true);
        const reason = page.locator(`[id="${await cancel.getAttribute('aria-describedby')}"]`);
        expect(await reason.textContent()).toBe(`Cancel: ${refused.message}`);
        expect(await reason.isVisible()).toBe(true);
      } finally {
        await context.close();
      }
    });
  }
});
