import { readFileSync } from 'node:fs'
import WebSocket from 'ws'
import { startGatewayProcess } from '../../../load/bench/gateway/process.ts'
import { signApiKey } from '../../../stack/api-keys.ts'
import { testStack } from '../../helpers/stack-env.ts'

/**
 * The connection caps, measured (a flood must leave nothing held over): an anon-key flood against a gateway in a process of its own with the default
 * connection caps. Opens ADDRESSES × ATTEMPTS_PER_ADDRESS sockets (more than the per-address cap from each
 * address), then closes them all, ROUNDS times, and prints the gateway's RSS and JS heap before, during and after
 * each round, each read after a full GC: a second round that ends where the first did holds nothing over. Not part of `npm test` (it takes a minute and a few hundred MB); run it beside a stack:
 *
 *   eval "$(npx plater status -o env)"   # then export PLATER_DB_URL=$DB_URL PLATER_JWT_SECRET=$JWT_SECRET …
 *   node --import tsx tests/gateway/flood/connection-flood.ts
 */

const ADDRESSES = 8
const ATTEMPTS_PER_ADDRESS = 600
const CONCURRENCY = 100
const ROUNDS = 2

const { dbUrl, jwtSecret } = testStack()
const gateway = await startGatewayProcess({ dbUrl, jwtSecret }, {}, { exposeGc: true })
const serviceKey = await signApiKey(jwtSecret, 'service_role', Math.floor(Date.now() / 1000))
const anonKey = await signApiKey(jwtSecret, 'anon', Math.floor(Date.now() / 1000))

const rssMiB = () => {
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${gateway.pid}/status`, 'utf8'))?.[1])
  return Math.round((kb / 1024) * 10) / 10
}
const gatewayMetrics = async () => {
  const res = await fetch(`${gateway.url}/realtime/v1/metrics`, { headers: { apikey: serviceKey } })
  return (await res.json()) as { sockets: number; process: { heapUsedBytes: number } }
}
/** RSS and JS heap in MiB, after a full GC. */
const memory = async () => {
  await gateway.collectGarbage()
  const heap = (await gatewayMetrics()).process.heapUsedBytes / 1024 / 1024
  return { rss: rssMiB(), heap: Math.round(heap * 10) / 10 }
}

function attempt(localAddress: string): Promise<WebSocket | number> {
  const ws = new WebSocket(
    `${gateway.url.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${anonKey}&vsn=2.0.0`,
    {
      localAddress,
    },
  )
  return new Promise((resolve) => {
    ws.once('open', () => resolve(ws))
    ws.once('unexpected-response', (_req, res) => {
      res.resume()
      resolve(res.statusCode ?? 0)
    })
    ws.once('error', () => resolve(-1))
  })
}

const before = await memory()
const rounds = []
for (let round = 0; round < ROUNDS; round++) {
  const targets = Array.from(
    { length: ADDRESSES * ATTEMPTS_PER_ADDRESS },
    (_, i) => `127.0.1.${(i % ADDRESSES) + 1}`,
  )
  const open: WebSocket[] = []
  const refusals = new Map<number, number>()
  for (let i = 0; i < targets.length; i += CONCURRENCY) {
    for (const result of await Promise.all(targets.slice(i, i + CONCURRENCY).map(attempt))) {
      if (typeof result === 'number') refusals.set(result, (refusals.get(result) ?? 0) + 1)
      else open.push(result)
    }
  }
  const socketsDuring = (await gatewayMetrics()).sockets
  const during = await memory()
  for (const ws of open) ws.terminate()
  while ((await gatewayMetrics()).sockets > 0) await new Promise((resolve) => setTimeout(resolve, 200))
  await new Promise((resolve) => setTimeout(resolve, 2000))
  const after = await memory()
  rounds.push({
    attempts: targets.length,
    accepted: open.length,
    socketsDuring,
    refused: Object.fromEntries(refusals),
    during,
    after,
  })
}
console.log(JSON.stringify({ before, rounds }))
await gateway.stop()
