import { spawn } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { BodyTooLarge } from '../../shared/http/body.ts'
import { readNodeBody } from '../../shared/http/node-body.ts'
import { HttpError, sendError } from '../api/respond.ts'
import type { ApiRoute } from '../api/route.ts'
import { stackVerifier } from '../auth/verify.ts'
import type { StackConfig } from '../config.ts'
import { denoBinary, denoEnv } from '../deno.ts'
import type { Logger } from '../log.ts'
import { isProcessAlive, processArgs, processIds } from '../process-util.ts'
import { type FunctionSpec, loadFunctionSpecs } from './config.ts'
import { JwtGate } from './jwt.ts'
import { discardBody, forwardableHeaders, hop, HopError, MAX_BODY_BYTES, relayError } from './proxy.ts'
import { type Endpoint, FunctionWorker } from './worker.ts'

/**
 * The functions host: serves every edge function at `/functions/v1/<name>` on the API port, like Supabase's
 * edge runtime behind its relay.
 *
 * Each function runs in its own long-lived `deno run` process (worker-bootstrap.js) on a private Unix socket,
 * started with the stack, so no request pays a cold start. One process per function (rather than one Deno
 * process importing every function) because that is the isolation functions get when deployed: separate module
 * state and memory per function, one crashing or leaking function does not take the others down, and a design
 * that would only work with shared module state (e.g. one function filling another's cache) fails here as it
 * would on hosted Supabase. The price is ~40-60 MB RSS per function.
 *
 * `verify_jwt` (supabase/config.toml, default true) is checked here, before the worker sees the request.
 * A worker that exits is restarted with backoff; requests meanwhile wait for it (up to `startTimeoutMs`).
 */
export interface FunctionsHostOptions {
  /** How long a request waits for its worker to be listening (first start may download npm packages). */
  startTimeoutMs?: number
  /** Per-request wall clock before 504 (Supabase's limit is 150 s). */
  requestTimeoutMs?: number
}

export interface FunctionsRoute extends ApiRoute {
  readonly functions: readonly FunctionSpec[]
  worker(name: string): FunctionWorker | undefined
}

const PREFIX = '/functions/v1'
const EMPTY = Buffer.alloc(0)
// sun_path holds 108 bytes on Linux (104 on macOS)
const MAX_SOCKET_PATH = 100

const SOCKET_NAME = /^plater-fn-(\d+)-\d+-.+\.sock$/

/** Socket files of hosts that died without cleaning up (SIGKILL): their workers exited with them. */
function removeStaleSockets(): void {
  try {
    for (const entry of readdirSync(tmpdir())) {
      const owner = SOCKET_NAME.exec(entry)
      if (owner && !isProcessAlive(Number(owner[1]))) rmSync(join(tmpdir(), entry), { force: true })
    }
  } catch {
    // an unreadable tmpdir only means stale files stay
  }
}

/**
 * Workers of a host that was killed and has not been replaced (`plater start` cleaning up after a killed stack).
 * They exit when their stdin closes, i.e. with their host; one stuck in its own work may not have noticed yet.
 * Found by their command line, which names their socket, which names the host's pid (Linux /proc; elsewhere none).
 */
export function stopOrphanedWorkers(hostPid: number): number[] {
  const marker = `${join(tmpdir(), `plater-fn-${hostPid}-`)}`
  const stopped: number[] = []
  for (const pid of processIds()) {
    const args = processArgs(pid)
    if (
      args === undefined ||
      !args.some((arg) => arg.endsWith('worker-bootstrap.js')) || !args.some((arg) => arg.startsWith(marker))
    ) continue
    try {
      process.kill(pid, 'SIGKILL')
      stopped.push(pid)
    } catch {
      // exited meanwhile
    }
  }
  removeStaleSockets()
  return stopped
}

/**
 * Where a worker listens. A Unix socket where there are any: the host↔worker hop is on every request, and a
 * Unix socket costs the kernel less than loopback TCP. Named by process and host instance, so never shared.
 */
let hosts = 0
function listenAddress(host: number, name: string): string {
  if (process.platform === 'win32' || process.env.PLATER_FUNCTIONS_TCP === '1') return 'tcp'
  const path = join(tmpdir(), `plater-fn-${process.pid}-${host}-${name}.sock`)
  return path.length <= MAX_SOCKET_PATH ? path : 'tcp'
}
const here = fileURLToPath(new URL('.', import.meta.url))

/** `KEY=value` lines of functions/.env (like `supabase functions serve` loads supabase/functions/.env). */
function readDotEnv(path: string): Record<string, string> {
  if (!existsSync(path)) return {}
  const out: Record<string, string> = {}
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line)
    if (!match || line.trimStart().startsWith('#')) continue
    out[match[1]!] = match[2]!.replace(/^(['"])(.*)\1$/, '$2')
  }
  return out
}

const PASS_THROUGH = [
  'PATH',
  'HOME',
  'TMPDIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NPM_CONFIG_REGISTRY',
  'SSL_CERT_FILE',
  'PLATER_DB_POOL_MAX',
]

export function workerEnv(config: StackConfig, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {}
  for (const name of PASS_THROUGH) if (env[name] !== undefined) out[name] = env[name]
  return {
    ...out,
    ...readDotEnv(join(config.repoRoot, 'functions', '.env')),
    ...denoEnv(config.repoRoot, env),
    NO_COLOR: '1',
    SUPABASE_URL: config.apiUrl,
    SUPABASE_ANON_KEY: config.anonKey,
    SUPABASE_SERVICE_ROLE_KEY: config.serviceRoleKey,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: config.publishableKey }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: config.secretKey }),
    SUPABASE_DB_URL: config.dbUrl,
    // The legacy HS256 secret, under the name the functions read on hosted Supabase too (functions/README.md).
    JWT_SECRET: config.jwtSecret,
  }
}

/** Runs a command to its end without blocking the event loop (the stack's other parts keep serving). */
function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.once('error', (error) => resolve({ code: -1, stderr: error.message }))
    child.once('close', (code) => resolve({ code, stderr }))
  })
}

export async function createFunctionsRoute(
  config: StackConfig,
  log: Logger,
  options: FunctionsHostOptions = {},
): Promise<FunctionsRoute> {
  const startTimeoutMs = options.startTimeoutMs ?? 60_000
  const requestTimeoutMs = options.requestTimeoutMs ?? 150_000
  const specs = loadFunctionSpecs(config.repoRoot)
  const deno = denoBinary(config.repoRoot, process.env)
  const bootstrap = join(here, 'worker-bootstrap.js')
  const denoConfig = join(config.repoRoot, 'deno.json')
  const env = workerEnv(config)

  // Fill the module cache once, in one process, before the workers start in parallel (a fresh machine downloads
  // the npm packages here instead of six times concurrently).
  const cached = await run(deno, [
    'cache',
    '--quiet',
    `--config=${denoConfig}`,
    bootstrap,
    ...specs.map((s) => s.entrypoint),
  ], {
    cwd: config.repoRoot,
    env,
  })
  if (cached.code !== 0) {
    log.warn('deno cache failed; workers will try on their own', { stderr: cached.stderr.trim() })
  }

  const workers = new Map<string, FunctionWorker>()
  const sockets: string[] = []
  const host = hosts++
  removeStaleSockets()
  for (const spec of specs) {
    const listen = listenAddress(host, spec.name)
    workers.set(
      spec.name,
      new FunctionWorker({
        spec,
        deno,
        bootstrap,
        denoConfig,
        cwd: config.repoRoot,
        env,
        listen,
        log: log.child(spec.name),
      }),
    )
    sockets.push(listen)
  }
  const started = Date.now()
  for (const worker of workers.values()) worker.start()
  const ready = await Promise.allSettled(
    [...workers.values()].map((worker) => worker.endpoint(startTimeoutMs)),
  )
  ready.forEach((result, i) => {
    if (result.status === 'rejected') {
      log.error(`function ${specs[i]!.name} is not serving`, { error: result.reason })
    }
  })
  log.info(`serving ${specs.length} functions`, {
    functions: specs.map((s) => `${s.name}${s.verifyJwt ? '' : ' (no verify_jwt)'}`),
    ms: Date.now() - started,
  })

  const gate = new JwtGate(stackVerifier(config))
  const agent = new Agent({ keepAlive: true, maxSockets: 512, maxFreeSockets: 256, timeout: 30_000 })

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/'
    const queryAt = target.indexOf('?')
    const pathname = queryAt < 0 ? target : target.slice(0, queryAt)
    const search = queryAt < 0 ? '' : target.slice(queryAt)
    const rest = pathname.slice(PREFIX.length) // "/<name>/…"
    const name = rest.split('/', 2)[1] ?? ''
    const spec = specs.find((s) => s.name === name)
    const worker = spec && workers.get(spec.name)
    if (!spec || !worker) {
      sendError(res, new HttpError(404, 'function_not_found', `no function named "${name}"`))
      return
    }
    // CORS preflights carry no token; like Supabase's relay, they reach the function unauthenticated.
    if (spec.verifyJwt && req.method !== 'OPTIONS') {
      try {
        await gate.check(req.headers.authorization)
      } catch (error) {
        if (!(error instanceof HttpError)) throw error
        sendError(res, error)
        return
      }
    }
    let body: Buffer = EMPTY
    try {
      // Buffered (function requests are small), so a failed hop can be sent again.
      if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) {
        body = await readNodeBody(req, MAX_BODY_BYTES, { keepOnRefusal: true })
      }
    } catch (error) {
      if (!(error instanceof BodyTooLarge) || !(await discardBody(req))) {
        res.destroy()
        return
      }
      res.setHeader('connection', 'close')
      sendError(res, error)
      return
    }
    const headers = forwardableHeaders(req.headers)
    headers['x-forwarded-for'] = req.socket.remoteAddress ?? '127.0.0.1'
    headers['x-forwarded-proto'] = 'http'
    headers['x-forwarded-host'] = req.headers.host ?? `${config.apiHost}:${config.apiPort}`
    // Safe to send twice: idempotent by method, or by Idempotency-Key (keyed mutations are never applied twice).
    const repeatable = req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS' ||
      req.headers['idempotency-key'] !== undefined

    for (let attempt = 0;; attempt++) {
      let endpoint: Endpoint
      try {
        endpoint = await worker.endpoint(startTimeoutMs)
      } catch (error) {
        sendError(res, relayError(503, 'function_unavailable', (error as Error).message))
        return
      }
      try {
        await hop(agent, {
          name,
          endpoint,
          method: req.method ?? 'GET',
          path: `${rest}${search}`,
          headers,
          body,
          timeoutMs: requestTimeoutMs,
        }, res)
        return
      } catch (error) {
        if (!(error instanceof HopError)) throw error
        worker.noteConnectionFailure(endpoint)
        // Send again only what cannot have reached a handler: a refused connection, or a reset of a reused
        // keep-alive socket (the worker closed it while idle) — and then only if the worker did not die on it.
        if (
          attempt === 0 &&
          (error.kind === 'connect' || (error.unsent && repeatable && !(await worker.diedRecently())))
        ) continue
        sendError(res, error)
        return
      }
    }
  }

  return {
    prefix: PREFIX,
    functions: specs,
    worker: (name) => workers.get(name),
    handleRequest,
    async close() {
      await Promise.all([...workers.values()].map((worker) => worker.stop()))
      agent.destroy()
      for (const path of sockets) if (path !== 'tcp') rmSync(path, { force: true })
    },
  }
}
