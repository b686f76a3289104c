// Shared by the Deno tests: a JWT secret for the functions under test, token signing, and the database the test
// runner exports (PLATER_DB_URL, PLATER_JWT_SECRET). DB-backed tests are skipped without it.
import { jose } from '../../functions/_shared/deps.ts'

export const DB_URL = Deno.env.get('PLATER_DB_URL') ?? Deno.env.get('SUPABASE_DB_URL')
export const HAS_DB = DB_URL !== undefined && DB_URL !== ''
export const SECRET = Deno.env.get('PLATER_JWT_SECRET') ?? 'deno-test-secret-deno-test-secret-0123456789'

Deno.env.set('JWT_SECRET', SECRET)
if (HAS_DB) Deno.env.set('SUPABASE_DB_URL', DB_URL!)

export const BISTRO = '00000000-0000-4000-8000-00000000b001'
export const STAFF = {
  manager: '00000000-0000-4000-8000-00000000b101',
  expo: '00000000-0000-4000-8000-00000000b102',
  grill: '00000000-0000-4000-8000-00000000b103',
  fry: '00000000-0000-4000-8000-00000000b104',
  ana: '00000000-0000-4000-8000-00000000b105',
  ben: '00000000-0000-4000-8000-00000000b106',
  dinerManager: '00000000-0000-4000-8000-00000000d101',
} as const
export const STATIONS = {
  grill: '00000000-0000-4000-8000-00000000b0a1',
  fry: '00000000-0000-4000-8000-00000000b0a2',
}

export function sign(
  claims: jose.JWTPayload,
  options: { secret?: string; expiresIn?: string | number } = {},
) {
  return new jose.SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '1h')
    .sign(new TextEncoder().encode(options.secret ?? SECRET))
}

export function userToken(sub: string) {
  return sign({ sub, role: 'authenticated', aud: 'authenticated' })
}

export async function call(
  handler: (req: Request) => Promise<Response>,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
  // deno-lint-ignore no-explicit-any
): Promise<{ status: number; headers: Headers; body: any }> {
  const headers: Record<string, string> = { ...options.headers }
  if (options.token) headers.authorization = `Bearer ${options.token}`
  if (options.body !== undefined) headers['content-type'] = 'application/json'
  const res = await handler(
    new Request(`http://functions.test/functions/v1${path}`, {
      method,
      headers,
      body: options.body === undefined
        ? undefined
        : typeof options.body === 'string'
        ? options.body
        : JSON.stringify(options.body),
    }),
  )
  const text = await res.text()
  let body: unknown = text
  try {
    body = text === '' ? null : JSON.parse(text)
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body }
}

/** A test that needs the database; ignored without PLATER_DB_URL. */
export const dbTest = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, ignore: !HAS_DB, sanitizeOps: false, sanitizeResources: false, fn })

/**
 * The last test of a DB-backed file: closes the functions' pool and the file's owner connection, so the next
 * file starts clean and Deno sees nothing left open.
 */
export function closePoolsAfterwards(file: string, owner: { end(): Promise<void> } | undefined) {
  dbTest(`close the pools (${file})`, async () => {
    const { closeDb } = await import('../../functions/_shared/db.ts')
    await closeDb()
    await owner!.end()
  })
}
