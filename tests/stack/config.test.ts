import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importJWK, jwtVerify, SignJWT } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../stack/config.ts'
import { signAccessToken } from '../../stack/testing/index.ts'
import { stackVerifier } from '../../stack/auth/verify.ts'

const dirs: string[] = []
function freshDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plater-config-'))
  dirs.push(dir)
  return dir
}
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const secretKey = (secret: string) => new TextEncoder().encode(secret)

describe('resolveConfig', () => {
  it('uses the Supabase local defaults when nothing is set', async () => {
    const config = await resolveConfig({ PLATER_DATA_DIR: freshDataDir() })
    expect(config).toMatchObject({
      apiHost: '127.0.0.1',
      apiPort: 54321,
      apiUrl: 'http://127.0.0.1:54321',
      dbPort: 54322,
      dbUrl: 'postgresql://postgres:postgres@127.0.0.1:54322/postgres',
      externalDb: false,
    })
  })

  it('takes ports from PLATER_API_PORT / PLATER_DB_PORT and the database from DATABASE_URL', async () => {
    const dataDir = freshDataDir()
    const ports = await resolveConfig({
      PLATER_DATA_DIR: dataDir,
      PLATER_API_PORT: '6001',
      PLATER_DB_PORT: '6002',
    })
    expect(ports).toMatchObject({ apiPort: 6001, apiUrl: 'http://127.0.0.1:6001', dbPort: 6002 })

    const external = await resolveConfig({
      PLATER_DATA_DIR: dataDir,
      DATABASE_URL: 'postgresql://u:p@db.local:6543/app',
    })
    expect(external).toMatchObject({
      dbUrl: 'postgresql://u:p@db.local:6543/app',
      dbPort: 6543,
      externalDb: true,
    })
  })

  it('rejects a port that is not a port number, naming the variable', async () => {
    await expect(resolveConfig({ PLATER_DATA_DIR: freshDataDir(), PLATER_DB_PORT: 'abc' })).rejects.toThrow(
      /PLATER_DB_PORT must be a port number/,
    )
  })

  it('generates a secret per install, keeps it in secrets.json and derives the same keys from it', async () => {
    const dataDir = freshDataDir()
    const first = await resolveConfig({ PLATER_DATA_DIR: dataDir })
    const second = await resolveConfig({ PLATER_DATA_DIR: dataDir })
    const other = await resolveConfig({ PLATER_DATA_DIR: freshDataDir() })

    const stored = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { jwtSecret: string }
    expect(stored.jwtSecret).toBe(first.jwtSecret)
    expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32)
    expect(second).toMatchObject({
      jwtSecret: first.jwtSecret,
      anonKey: first.anonKey,
      serviceRoleKey: first.serviceRoleKey,
    })
    expect(other.jwtSecret).not.toBe(first.jwtSecret)
  })

  it('signs the anon and service_role keys with the secret (HS256, iss plater, long-lived)', async () => {
    const config = await resolveConfig({ PLATER_DATA_DIR: freshDataDir() })
    const tenYearsish = 9 * 365 * 24 * 3600
    for (
      const [key, role] of [
        [config.anonKey, 'anon'],
        [config.serviceRoleKey, 'service_role'],
      ] as const
    ) {
      const { payload, protectedHeader } = await jwtVerify(key, secretKey(config.jwtSecret), {
        issuer: 'plater',
      })
      expect(protectedHeader.alg).toBe('HS256')
      expect(payload.role).toBe(role)
      expect(payload.exp! - payload.iat!).toBeGreaterThan(tenYearsish)
    }
    await expect(jwtVerify(config.anonKey, secretKey('another-secret-another-secret-12'))).rejects.toThrow()
  })
})

describe('signing keys and the new API keys', () => {
  it('generates an ES256 signing key and sb_ keys per install; the JWKS holds only the public key', async () => {
    const dataDir = freshDataDir()
    const config = await resolveConfig({ PLATER_DATA_DIR: dataDir })
    expect(config.publishableKey).toMatch(/^sb_publishable_[\w-]{20,}$/)
    expect(config.secretKey).toMatch(/^sb_secret_[\w-]{20,}$/)
    expect(config.jwks.keys).toEqual([
      {
        kty: 'EC',
        crv: 'P-256',
        alg: 'ES256',
        use: 'sig',
        kid: config.signingKey.kid,
        x: config.signingKey.x,
        y: config.signingKey.y,
      },
    ])
    expect(await resolveConfig({ PLATER_DATA_DIR: dataDir })).toMatchObject({
      signingKey: config.signingKey,
      publishableKey: config.publishableKey,
    })
    const token = await new SignJWT({ role: 'authenticated', sub: '00000000-0000-4000-8000-000000000001' })
      .setProtectedHeader({ alg: 'ES256', kid: config.signingKey.kid })
      .setExpirationTime('1h')
      .sign(await importJWK(config.signingKey, 'ES256'))
    expect(await stackVerifier(config).verify(token)).toMatchObject({ ok: true })
    expect(await stackVerifier(config).verify(config.publishableKey)).toMatchObject({
      ok: true,
      claims: { role: 'anon' },
    })
  })

  it('adds what an older secrets.json lacks, keeping its JWT secret (and so its keys and tokens)', async () => {
    const dataDir = freshDataDir()
    const old = { jwtSecret: 'an-older-install-secret-an-older-install', issuedAt: 1_700_000_000 }
    writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify(old))
    const config = await resolveConfig({ PLATER_DATA_DIR: dataDir })
    expect(config.jwtSecret).toBe(old.jwtSecret)
    const stored = JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as Record<string, unknown>
    expect(stored).toMatchObject({
      ...old,
      signingKey: config.signingKey,
      publishableKey: config.publishableKey,
      secretKey: config.secretKey,
    })
  })
})

describe('signAccessToken', () => {
  it('issues a one-hour token for an authenticated user, like Supabase Auth', async () => {
    const secret = 'a-test-secret-that-is-long-enough-1234'
    const now = new Date()
    const token = await signAccessToken(secret, {
      id: '00000000-0000-4000-8000-000000000001',
      email: 'a@b.test',
    }, now)
    const { payload } = await jwtVerify(token, secretKey(secret), {
      audience: 'authenticated',
      currentDate: now,
    })
    expect(payload).toMatchObject({
      sub: '00000000-0000-4000-8000-000000000001',
      role: 'authenticated',
      aud: 'authenticated',
      email: 'a@b.test',
      iat: Math.floor(now.getTime() / 1000),
      exp: Math.floor(now.getTime() / 1000) + 3600,
    })
  })
})
