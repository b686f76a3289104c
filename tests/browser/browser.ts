import { existsSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core'

/**
 * Headless Chromium for the console's browser tests: Debian's `chromium` (scripts/setup installs it), or the
 * binary PLATER_CHROMIUM names. Every role gets its own context (its own storage, so its own session).
 */
export const CHROMIUM = process.env.PLATER_CHROMIUM ?? '/usr/bin/chromium'

/**
 * Screenshots go to docs/screenshots only when asked (PLATER_UPDATE_SCREENSHOTS=1 npm test): a run that
 * rewrote tracked images every time would leave every checkout dirty.
 */
export const SCREENSHOT_DIR = process.env.PLATER_UPDATE_SCREENSHOTS === '1'
  ? join(import.meta.dirname, '..', '..', 'docs', 'screenshots')
  : join(tmpdir(), 'plater-console-screenshots')

/** For `expect.poll` on what arrives over the network (its default gives up after 1 s; the CPU is shared). */
export const SLOW = { timeout: 30_000, interval: 100 }

export function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`no Chromium at ${CHROMIUM}: run scripts/setup (or set PLATER_CHROMIUM)`)
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // Chromium refuses to sandbox itself as root (containers, CI).
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  })
}

/** A browser of its own (storage, so session) with a screen of this size. */
export async function newDevice(
  browser: Browser,
  baseURL: string,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport, reducedMotion: 'reduce' })
  const page = await context.newPage()
  return { context, page }
}

/** A tablet in landscape, as a kitchen mounts it. */
export function newTablet(
  browser: Browser,
  baseURL: string,
): Promise<{ context: BrowserContext; page: Page }> {
  return newDevice(browser, baseURL, { width: 1366, height: 900 })
}

export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto('/')
  const form = page.getByRole('form', { name: 'Sign in' })
  await form.getByLabel('Email').fill(email)
  await form.getByLabel('Password').fill(password)
  await form.getByRole('button', { name: 'Sign in' }).click()
}

export async function screenshot(page: Page, name: string, { fullPage = false } = {}): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  // From the top, so sticky headers are drawn where they belong.
  // deno-lint-ignore no-window -- runs in the page, where `window` is the global
  if (fullPage) await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path, fullPage })
  return path
}
