import { rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, normalize } from 'node:path'
import postgres from 'postgres'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'
import { appOutside, installApp, npm, readJson } from '../helpers/app-outside.ts'
import { testStack } from '../helpers/stack-env.ts'
import { launchBrowser, newTablet, SLOW } from './browser.ts'
import { type BrowserRestaurant, createBrowserRestaurant, PASSWORD } from './fixture.ts'
import { orderOn } from './staff.ts'

/**
 * examples/kitchen-display as an app's developer gets it: copied out of the repository, the packed client
 * installed from its tarball with npm, built with Vite, served as static files and used in Chromium against the
 * test stack. A cook sees a ticket arrive and bumps it.
 */
describe('the example app on the packed client', () => {
  const { apiUrl, anonKey, dbUrl } = testStack()
  let browser: Browser
  let site: Server
  let siteUrl: string
  let restaurant: BrowserRestaurant
  let app: { dir: string; tarball: string } | undefined

  beforeAll(async () => {
    const packed = inject('packedClient')
    app = appOutside(packed, join(repoRoot, 'examples', 'kitchen-display'))
    const { dir, tarball } = app
    const manifest = readJson<{ dependencies: Record<string, string> }>(join(dir, 'package.json'))
    // the example names the tarball npm pack makes; a new version has to be named there too
    expect(manifest.dependencies['plater-realtime']).toBe(`file:${tarball.split(/[/\\]/).pop()}`)
    await installApp(dir)
    await npm(dir, ['run', 'build', '--silent'], {
      VITE_SUPABASE_URL: apiUrl,
      VITE_SUPABASE_ANON_KEY: anonKey,
    })
    site = await serveStatic(join(dir, 'dist'))
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`
    ;[browser, restaurant] = await Promise.all([launchBrowser(), createBrowserRestaurant(dbUrl)])
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await restaurant?.drop()
    await new Promise((resolve) => (site ? site.close(resolve) : resolve(undefined)))
    if (app) rmSync(app.dir, { recursive: true, force: true }) // an installed and built app: ≈ 90 MB a run
  })

  it(
    'shows a cook the ticket the server placed, on one socket, and applies the bump',
    { timeout: 120_000 },
    async () => {
      const { context, page } = await newTablet(browser, siteUrl)
      const sockets: string[] = []
      page.on('websocket', (socket) => sockets.push(socket.url()))
      try {
        await page.goto('/')
        const form = page.getByRole('form', { name: 'Sign in' })
        await form.getByLabel('Email').fill(restaurant.emails.grill)
        await form.getByLabel('Password').fill(PASSWORD)
        await form.getByRole('button', { name: 'Sign in' }).click()
        await expect.poll(() => page.getByRole('heading', { name: 'Grill' }).count(), SLOW).toBe(1)
        await expect.poll(() => page.getByLabel('Feed status').textContent(), SLOW).toBe('live')

        const itemId = await orderOn(restaurant, 'T1', 'Burger')
        const ticket = page.getByRole('list', { name: 'Tickets' }).getByRole('listitem', { name: 'Table T1' })
        await expect.poll(() => ticket.textContent(), SLOW).toContain('1× Burger')
        expect(await ticket.getAttribute('data-status')).toBe('new')

        await ticket.getByRole('button', { name: 'Bump' }).click()
        await expect.poll(() => ticket.getAttribute('data-status'), SLOW).toBe('ready')
        // applied by the server, not only shown: the row is ready and the ticket is no longer saving
        await expect.poll(() => itemStatus(dbUrl, itemId), SLOW).toBe('ready')
        await expect.poll(() => ticket.textContent(), SLOW).not.toContain('saving')
        expect(await page.getByRole('alert').count()).toBe(0)
        // one realtime connection for the page (tests/e2e/client-shared-socket.test.ts shows whose it is)
        expect(sockets.filter((url) => url.includes('/realtime/v1/'))).toHaveLength(1)
      } finally {
        await context.close()
      }
    },
  )
})

async function itemStatus(dbUrl: string, itemId: string): Promise<string | undefined> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    const [row] = await sql<{ status: string }[]>`select status from public.order_items where id = ${itemId}`
    return row?.status
  } finally {
    await sql.end()
  }
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.svg': 'image/svg+xml',
}

/** The built app as a static host serves it (any path the app routes itself gets index.html). */
async function serveStatic(root: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = normalize(decodeURIComponent(new URL(request.url ?? '/', 'http://x').pathname)).replace(
      /^([/\\])+/,
      '',
    )
    const file = join(root, path && extname(path) ? path : 'index.html')
    try {
      const body = await readFile(file)
      response.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(
        body,
      )
    } catch {
      response.writeHead(404).end()
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}
