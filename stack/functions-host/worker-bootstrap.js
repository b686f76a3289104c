// @ts-check
// Runs ONE edge function inside a long-lived Deno process, the way Supabase's edge runtime runs a user worker:
// the function's module calls `Deno.serve(handler)` (or exports `default { fetch }`); we capture that handler
// instead of letting it bind port 8000, and serve it on a private Unix socket (or, given `tcp`, a loopback port
// chosen by the OS), reported to the host on stdout as `PLATER_WORKER_READY <path or port>`.
//
// Usage: deno run <permissions> worker-bootstrap.js <function name> <entrypoint path> <socket path | tcp>
//
// A handler that throws (or rejects) answers 500 JSON `{code: "function_error", …}` and the process keeps serving;
// unhandled rejections and uncaught errors in background work are logged, not fatal.

import { createLogger } from '../../shared/log.ts'

const READY_PREFIX = 'PLATER_WORKER_READY'
const [name, entrypoint, listen] = Deno.args
if (!name || !entrypoint || !listen) {
  console.error('usage: worker-bootstrap.js <function name> <entrypoint path> <socket path | tcp>')
  Deno.exit(2)
}
// stderr lines reach the host's log as warnings of this function
const log = createLogger(name)

/** @typedef {(req: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>} Handler */

/** @type {Handler | undefined} */
let captured
/** @type {((error: unknown) => Response | Promise<Response>) | undefined} */
let capturedOnError

const realServe = Deno.serve.bind(Deno)

/**
 * Stand-in for Deno.serve while the function module loads: records the handler, returns a server-like object.
 * @param {unknown[]} args
 */
function captureServe(...args) {
  /** @type {any} */
  const first = args[0]
  /** @type {any} */
  const second = args[1]
  const handler = typeof first === 'function' ? first : typeof second === 'function' ? second : first?.handler
  if (typeof handler !== 'function') throw new TypeError('Deno.serve needs a handler')
  if (captured) log.warn('Deno.serve called more than once; serving the last handler')
  captured = handler
  const options = typeof first === 'object' && first !== null ? first : undefined
  if (typeof options?.onError === 'function') capturedOnError = options.onError
  /** @type {Promise<void>} */
  const finished = new Promise(() => {})
  return {
    finished,
    addr: { transport: 'tcp', hostname: '127.0.0.1', port: 0 },
    ref() {},
    unref() {},
    shutdown: () => Promise.resolve(),
    [Symbol.asyncDispose]: () => Promise.resolve(),
  }
}
// @ts-ignore: replacing the runtime's serve for the function module, as the edge runtime does
Deno.serve = captureServe

globalThis.addEventListener('unhandledrejection', (event) => {
  event.preventDefault()
  log.error('unhandled rejection', { error: event.reason })
})
globalThis.addEventListener('error', (event) => {
  event.preventDefault()
  log.error('uncaught error', { error: event.error })
}) // The host keeps our stdin open and never writes to it: end-of-file means the host is gone (even when it was
 // SIGKILLed and could not stop us), so exit instead of lingering as an orphan.
;(async () => {
  const buffer = new Uint8Array(64)
  try {
    while ((await Deno.stdin.read(buffer)) !== null) {
      // nothing is ever sent
    }
  } catch {
    // a closed pipe: same as end-of-file
  }
  Deno.exit(0)
})()

const module = await import(new URL(`file://${entrypoint}`).href)
const exported = module?.default
if (!captured && typeof exported?.fetch === 'function') captured = exported.fetch.bind(exported)
if (!captured) {
  log.error(`${entrypoint} neither called Deno.serve nor exported default { fetch }`)
  Deno.exit(3)
}
const handler = captured

/** @param {unknown} error */
function failure(error) {
  log.error('handler failed', { error })
  return new Response(JSON.stringify({ code: 'function_error', message: `function "${name}" failed` }), {
    status: 500,
    headers: { 'content-type': 'application/json; charset=utf-8' },
  })
}

/** @type {((error: unknown) => Promise<Response>)} */
const onError = async (error) => {
  if (capturedOnError) {
    try {
      return await capturedOnError(error)
    } catch (inner) {
      return failure(inner)
    }
  }
  return failure(error)
}

/** @type {(req: Request, info: any) => Promise<Response>} */
const serve = async (req, info) => {
  try {
    const response = await handler(req, info)
    if (!(response instanceof Response)) throw new TypeError('the handler did not return a Response')
    return response
  } catch (error) {
    return failure(error)
  }
}

if (listen === 'tcp') {
  realServe({
    hostname: '127.0.0.1',
    port: 0,
    onListen: ({ port }) => console.log(`${READY_PREFIX} ${port}`),
    onError,
  }, serve)
} else {
  // a socket file left by the previous worker of this function (it was killed) would refuse the bind
  try {
    Deno.removeSync(listen)
  } catch {
    // not there
  }
  realServe({ path: listen, onListen: () => console.log(`${READY_PREFIX} ${listen}`), onError }, serve)
}
