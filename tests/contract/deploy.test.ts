// `supabase functions deploy` must ship the contract with every function. It uploads the files it finds by
// walking each entrypoint's imports; an import it cannot follow (a relative path out of functions/, which the
// supabase/functions symlink turns into supabase/contract/…) is only a warning and the deploy still "succeeds"
// (docs/deploy.md). So this runs the real CLI against a loopback stand-in for the Management API (offline, a
// profile file pointing it at 127.0.0.1) and checks what each function's upload holds.
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readSupabaseConfig } from '../../stack/supabase-config.ts'

const repoRoot = join(import.meta.dirname, '..', '..')
const supabaseCli = join(repoRoot, 'node_modules', '.bin', 'supabase')
const PROJECT_REF = 'abcdefghijklmnopqrst'

interface Upload {
  slug: string
  files: string[]
  metadata: { import_map_path?: string; entrypoint_path?: string }
}

const uploads: Upload[] = []
let server: Server
let home: string
let output = ''
let exitCode: number | null = null

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Records each function upload (a multipart form: the files, then `metadata`) and answers as the API would. */
async function managementApi(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const body = await readBody(req)
  const slug = url.searchParams.get('slug')
  if (req.method === 'POST' && url.pathname.endsWith('/functions/deploy') && slug) {
    const form = await new Request(url, {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '' },
      body: new Uint8Array(body),
    }).formData()
    const files: string[] = []
    for (const value of form.values()) if (typeof value !== 'string') files.push(value.name)
    uploads.push({ slug, files, metadata: JSON.parse(String(form.get('metadata') ?? '{}')) })
    const now = Date.now()
    return {
      status: 201,
      body: {
        id: `id-${slug}`,
        slug,
        name: slug,
        version: 1,
        status: 'ACTIVE',
        created_at: now,
        updated_at: now,
      },
    }
  }
  if (req.method === 'GET' && url.pathname.endsWith('/functions')) return { status: 200, body: [] }
  if (req.method === 'GET') {
    return {
      status: 200,
      body: { id: PROJECT_REF, ref: PROJECT_REF, name: 'test', status: 'ACTIVE_HEALTHY' },
    }
  }
  return { status: 200, body: [] }
}

beforeAll(async () => {
  server = createServer((req, res) => {
    managementApi(req).then(
      ({ status, body }) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)),
      (error) => res.writeHead(500).end(String(error)),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  home = mkdtempSync(join(tmpdir(), 'plater-deploy-'))
  const profile = join(home, 'profile.json')
  writeFileSync(
    profile,
    JSON.stringify({
      name: 'loopback',
      api_url: apiUrl,
      dashboard_url: apiUrl,
      project_host: 'supabase.red',
    }),
  )
  await new Promise<void>((resolve) => {
    execFile(
      supabaseCli,
      ['functions', 'deploy', '--use-api', '--profile', profile, '--project-ref', PROJECT_REF],
      {
        cwd: repoRoot,
        // a fake token and no telemetry: nothing leaves the machine
        env: {
          PATH: process.env.PATH,
          HOME: home,
          DO_NOT_TRACK: '1',
          SUPABASE_ACCESS_TOKEN: `sbp_${'0'.repeat(40)}`,
        },
        timeout: 60_000,
      },
      (error, stdout, stderr) => {
        exitCode = error ? (typeof error.code === 'number' ? error.code : -1) : 0
        output = `${stdout}\n${stderr}`
        resolve()
      },
    )
  })
}, 90_000)

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve))
  if (home) rmSync(home, { recursive: true, force: true })
})

const configured = Object.entries(
  (readSupabaseConfig(repoRoot).functions ?? {}) as Record<string, { enabled?: boolean }>,
)
  .filter(([, section]) => section.enabled !== false)
  .map(([name]) => name)
  .sort()
const contractFiles = readdirSync(join(repoRoot, 'contract'))
  .filter((name) => name.endsWith('.ts'))
  .map((name) => `contract/${name}`)

describe('supabase functions deploy (the real CLI, against a loopback Management API)', () => {
  it('deploys every function without a file it could not read', () => {
    expect(output).not.toMatch(/failed to read file|Skipping import path outside/i)
    expect(exitCode, output).toBe(0)
    expect(uploads.map((upload) => upload.slug).sort()).toEqual(configured)
  })

  it.each(configured)('%s: the upload holds the import map and the whole contract', (slug) => {
    const upload = uploads.find((candidate) => candidate.slug === slug)
    expect(upload, `no upload for ${slug}`).toBeDefined()
    expect(upload!.metadata.import_map_path).toBe('deno.json')
    expect(upload!.files).toContain('deno.json')
    expect(upload!.files).toEqual(expect.arrayContaining(contractFiles))
    // upload names are paths in the project; one leaving it would be refused by the server
    expect(upload!.files.filter((file) => file.startsWith('..') || file.startsWith('/'))).toEqual([])
  })
})
