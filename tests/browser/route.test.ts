import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { consoleDist, isConsoleBuildCurrent } from '../../console/build.ts'
import { SEED, SEED_PASSWORD } from '../helpers/seed.ts'
import { testStack } from '../helpers/stack-env.ts'

/** How the stack serves the console (stack/api/console.ts), without a browser. */
describe('the console route of the stack', () => {
  const { apiUrl, anonKey } = testStack()
  const html = { accept: 'text/html,application/xhtml+xml' }

  it('was built from the current sources before the stack served it', () => {
    expect(isConsoleBuildCurrent()).toBe(true)
  })

  it('serves the app at / and its hashed assets for good', async () => {
    const page = await fetch(`${apiUrl}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get('content-type')).toMatch(/text\/html/)
    expect(page.headers.get('cache-control')).toBe('no-cache')
    const body = await page.text()
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(body)?.[1]
    expect(script).toBeDefined()
    const asset = await fetch(`${apiUrl}${script}`)
    expect(asset.status).toBe(200)
    expect(asset.headers.get('content-type')).toMatch(/text\/javascript/)
    expect(asset.headers.get('cache-control')).toContain('immutable')
    expect(await asset.text()).toBe(readFileSync(join(consoleDist, script!), 'utf8'))
  })

  it('answers a browser navigation to a screen with the app, so deep links work', async () => {
    const response = await fetch(`${apiUrl}/kds/grill`, { headers: html })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<div id="root">')
  })

  it('keeps JSON 404s for API clients, missing assets and paths outside the build', async () => {
    for (
      const [path, headers] of [
        ['/kds/grill', {}],
        ['/assets/nope.js', html],
        ['/%2e%2e/package.json', html],
        ['/assets/..%2f..%2fbuild.ts', {}],
      ] as const
    ) {
      const response = await fetch(`${apiUrl}${path}`, { headers })
      expect(response.status, path).toBe(404)
      expect(await response.json()).toMatchObject({ code: 'not_found' })
    }
    const post = await fetch(`${apiUrl}/`, { method: 'POST' })
    expect(post.status).toBe(404)
  })

  it('tells the app the anon key and the staff accounts of this development stack', async () => {
    const response = await fetch(`${apiUrl}/console-config.json`)
    expect(response.status).toBe(200)
    const config = (await response.json()) as {
      anonKey: string
      accountPassword: string
      accounts: { email: string; role: string; station: string | null }[]
    }
    expect(config.anonKey).toBe(anonKey)
    expect(config.accountPassword).toBe(SEED_PASSWORD)
    expect(config.accounts).toContainEqual(
      expect.objectContaining({ email: SEED.users.grill.email, role: 'cook', station: 'grill' }),
    )
    expect(config.accounts).toContainEqual(
      expect.objectContaining({ email: SEED.users.manager.email, role: 'manager', station: null }),
    )
  })
})
