import { serveBareGateway } from '../../../stack/testing/index.ts'
import { endWithHarness } from '../server-lifetime.ts'

/**
 * The gateway under load, in a process of its own so its CPU and RSS are measured apart from the load
 * generator (started by ./process.ts). Same code as the stack mounts at /realtime/v1; limits come from
 * PLATER_REALTIME_* variables. Prints one JSON line `{"url", "pid"}` once it listens; exits on SIGTERM or when the
 * harness is gone (../server-lifetime.ts); SIGUSR2 runs a full GC when the process was started with --expose-gc.
 */
const dbUrl = process.env.PLATER_DB_URL
const jwtSecret = process.env.PLATER_JWT_SECRET
if (!dbUrl || !jwtSecret) throw new Error('PLATER_DB_URL and PLATER_JWT_SECRET are required')

const gateway = await serveBareGateway(dbUrl, jwtSecret)
console.log(JSON.stringify({ url: gateway.url, pid: process.pid }))
// Memory runs collect garbage before reading RSS, so it counts what sockets hold, not what joins left behind.
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.())
endWithHarness(() => gateway.close())
