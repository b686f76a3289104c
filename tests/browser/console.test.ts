import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEED } from '../helpers/seed.ts';
import { testStack } from '../helpers/stack-env.ts';
import { launchBrowser, newTablet, screenshot, signIn } from './browser.ts';
import { type BrowserRestaurant, createBrowserRestaurant, PASSWORD } from './fixture.ts';

/**
 * The console (console/) in headless Chromium, served by the test stack at `/`, signed in as real staff of a
 * restaurant of its own, every action going through the client library to the real functions and gateway.
 */
describe('the console in a browser', () => {
  const { apiUrl, dbUrl } = testStack();
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('lists the seeded accounts on the sign-in page', async () => {
    const { context, page } = await newTablet(browser, apiUrl);
    try {
      await page.goto('/');
      const accounts = page.getByRole('region', { name: 'Development accounts' });
      await expect.poll(() => accounts.locator(`button[data-email="${SEED.users.grill.email}"]`).count()).toBe(1);
      expect(await accounts.getByText('plater-demo').count()).toBe(1);
      await screenshot(page, 'sign-in');
    } finally {
      await context.close();
    }
  });

  describe('as the staff of a restaurant of its own', () => {
    let restaurant: BrowserRestaurant;

    beforeAll(async () => {
      restaurant = await createBrowserRestaurant(dbUrl);
    });

    afterAll(async () => {
      await restaurant?.drop();
    });

    it('says why a sign-in failed and stays on the sign-in page', async () => {
      const { context, page } = await newTablet(browser, apiUrl);
      try {
        await signIn(page, restaurant.emails.grill, 'not-the-password');
        const form = page.getByRole('form', { name: 'Sign in' });
        await expect.poll(() => form.getByRole('alert').textContent()).toMatch(/invalid/i);
      } finally {
        await context.close();
      }
    });

    it('signs a staff member in', async () => {
      const { context, page } = await newTablet(browser, apiUrl);
      try {
        await signIn(page, restaurant.emails.grill, PASSWORD);
        await expect.poll(() => page.getByRole('form', { name: 'Sign in' }).count()).toBe(0);
      } finally {
        await context.close();
      }
    });
  });
});
