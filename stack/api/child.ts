import type { Logger, LogLevel } from '../log.ts'
import type { FromApiProcess, ToApiProcess } from './child-protocol.ts'
import { createApiRoutes } from './routes.ts'
import { type ApiServer, startApiServer } from './server.ts'

/**
 * The API process: the API server and every route (gateway, functions host, auth, console) in a process of
 * their own, which the stack's process supervises (stack/api/supervisor.ts) and starts again if it dies.
 * It never outlives the stack: when the IPC channel closes (the stack's process ended, even by SIGKILL) it stops.
 */
const CLOSE_DEADLINE_MS = 20_000

function send(message: FromApiProcess): void {
  if (!process.connected) return
  try {
    process.send!(message)
  } catch {
    // fields that cannot be cloned: the line without them
    if (message.type === 'log') {
      process.send!({ ...message, fields: { unserializable: String(message.fields) } })
    }
  }
}

function ipcLogger(scopes: string[]): Logger {
  const write = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) =>
    send({ type: 'log', level, scopes, message, fields })
  return {
    debug: write('debug'),
    info: write('info'),
    warn: write('warn'),
    error: write('error'),
    child: (scope) => ipcLogger([...scopes, scope]),
  }
}

const log = ipcLogger([])
let server: ApiServer | undefined
let stopped: Promise<never> | undefined

async function start(message: Extract<ToApiProcess, { type: 'start' }>): Promise<void> {
  const routes = await createApiRoutes(message.config, log, message.restarts)
  try {
    server = await startApiServer({
      host: message.config.apiHost,
      port: message.config.apiPort,
      routes,
      log: log.child('api'),
    })
  } catch (error) {
    await Promise.all(routes.map((route) => route.close?.()))
    throw error
  }
  send({ type: 'listening' })
}

function stop(code: number): Promise<never> {
  stopped ??= (async () => {
    setTimeout(() => process.exit(code), CLOSE_DEADLINE_MS).unref()
    await server?.close().catch((error: unknown) => log.warn('closing the API server failed', { error }))
    return process.exit(code)
  })()
  return stopped
}

process.on('disconnect', () => void stop(0))
process.on('message', (message: ToApiProcess) => {
  if (message.type === 'stop') void stop(0)
  else if (message.type === 'start') {
    start(message).catch((error: unknown) => {
      send({ type: 'failed', message: error instanceof Error ? error.message : String(error) })
      void stop(1)
    })
  }
})
