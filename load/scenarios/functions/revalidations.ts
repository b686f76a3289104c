import { cpuPerRequest } from '../../bench/stack-cpu.ts'
import { RepeatingRequest } from '../../bench/http/repeating-request.ts'
import { summarize } from '../../bench/stats.ts'
import { functionPath } from '../../k6/routes.js'
import { BISTRO, type FunctionsContext } from './context.ts'
import { countStatus } from './statuses.ts'

/** concurrency closed loops of conditional GETs on one snapshot; all should be 304. */
export async function runRevalidations(ctx: FunctionsContext, seconds: number, concurrency: number) {
  const topic = `floor:${BISTRO}`
  const path = functionPath(`snapshot?topic=${encodeURIComponent(topic)}`)
  const first = await ctx.http.send('GET', path, ctx.headers(ctx.tokens.server))
  const etag = String(first.headers.etag)
  const revalidation: number[] = []
  const statuses: Record<string, number> = {}
  const deadline = performance.now() + seconds * 1000
  const cpuBefore = ctx.cpu?.sample()
  const started = performance.now()
  const url = new URL(ctx.env.apiUrl)
  const request = RepeatingRequest.build(
    'GET',
    path,
    url.host,
    ctx.headers(ctx.tokens.server, { 'if-none-match': etag }),
  )
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      const connection = new RepeatingRequest(url.hostname, Number(url.port), request)
      while (performance.now() < deadline) {
        const sent = performance.now()
        const status = await connection.send().catch((error: Error) => `error:${error.message}`)
        revalidation.push(performance.now() - sent)
        countStatus(statuses, status)
      }
      connection.close()
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  const count = Object.values(statuses).reduce((a, b) => a + b, 0)
  return {
    topic,
    concurrency: concurrency,
    seconds: Math.round(elapsed * 100) / 100,
    per_second_304: Math.round((statuses['304'] ?? 0) / elapsed),
    statuses,
    latency: summarize(Float64Array.from(revalidation)),
    cpu_ms_per_request: ctx.cpu && cpuBefore ? cpuPerRequest(cpuBefore, ctx.cpu.sample(), count) : undefined,
  }
}
