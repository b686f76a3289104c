import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { z } from 'zod'

/**
 * Per-install secrets, kept in `<dataDir>/secrets.json` so the keys printed by `plater status` stay valid
 * across restarts. `issuedAt` pins the `iat` of the legacy anon/service keys, which makes them deterministic.
 * `signingKey` is the ES256 private key user tokens are signed with (its public half is the JWKS);
 * `publishableKey` / `secretKey` are the new-format API keys (`sb_publishable_…`, `sb_secret_…`).
 */
export interface StackSecrets {
  jwtSecret: string
  issuedAt: number
  signingKey: SigningJwk
  publishableKey: string
  secretKey: string
}

const signingJwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  alg: z.literal('ES256'),
  kid: z.string().min(1),
  x: z.string(),
  y: z.string(),
  d: z.string(),
})
export type SigningJwk = z.infer<typeof signingJwkSchema>

const secretsSchema = z.object({
  jwtSecret: z.string().min(32),
  issuedAt: z.number().int().positive(),
  // absent in files written before the stack signed with ES256: added on the next start
  signingKey: signingJwkSchema.optional(),
  publishableKey: z.string().startsWith('sb_publishable_').optional(),
  secretKey: z.string().startsWith('sb_secret_').optional(),
})

export function newSigningKey(): SigningJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = privateKey.export({ format: 'jwk' })
  return { kty: 'EC', crv: 'P-256', alg: 'ES256', kid: randomUUID(), x: jwk.x!, y: jwk.y!, d: jwk.d! }
}

const newApiKey = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`

export function loadOrCreateSecrets(dataDir: string): StackSecrets {
  const file = join(dataDir, 'secrets.json')
  let text: string | undefined
  try {
    text = readFileSync(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text !== undefined) {
    const parsed = secretsSchema.safeParse(JSON.parse(text))
    if (!parsed.success) {
      throw new Error(`${file} is malformed; delete it to generate new keys (${parsed.error.message})`)
    }
    const { signingKey, publishableKey, secretKey } = parsed.data
    if (signingKey && publishableKey && secretKey) {
      return { ...parsed.data, signingKey, publishableKey, secretKey }
    }
    // An older install: keep its JWT secret (its keys and tokens stay valid) and add what it lacks.
    const upgraded: StackSecrets = {
      ...parsed.data,
      signingKey: signingKey ?? newSigningKey(),
      publishableKey: publishableKey ?? newApiKey('sb_publishable_'),
      secretKey: secretKey ?? newApiKey('sb_secret_'),
    }
    const temporary = `${file}.${process.pid}.tmp`
    writeFileSync(temporary, `${JSON.stringify(upgraded, null, 2)}\n`, { mode: 0o600 })
    renameSync(temporary, file)
    return upgraded
  }
  const secrets: StackSecrets = {
    jwtSecret: randomBytes(32).toString('hex'),
    issuedAt: Math.floor(Date.now() / 1000),
    signingKey: newSigningKey(),
    publishableKey: newApiKey('sb_publishable_'),
    secretKey: newApiKey('sb_secret_'),
  }
  mkdirSync(dataDir, { recursive: true })
  // 'wx': never overwrite a file another process created meanwhile; mode 600: it signs every key.
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { flag: 'wx', mode: 0o600 })
  return secrets
}
