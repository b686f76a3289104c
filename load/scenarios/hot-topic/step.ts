import type { Worker } from 'node:worker_threads'
import { setTimeout as sleep } from 'node:timers/promises'
import type { CpuMeter } from '../../bench/cpu.ts'
import type { OpenLoopOutcome } from '../../bench/open-loop.ts'
import { numberOption, type ScenarioContext } from '../../bench/scenario.ts'
import { type LatencySummary, percentilesBySecond, summarize } from '../../bench/stats.ts'
import { ask, type SubscriberReport, type WorkerCommand } from '../../bench/gateway/subscribers.ts'
import type { FanoutSystem, SystemName } from './systems.ts'

/** What one system delivered at one rate of the sweep. */
export interface Step {
  readonly rate: number
  readonly offeredDeliveriesPerSecond: number
  readonly published: OpenLoopOutcome
  readonly expected: number
  readonly received: number
  readonly deliveredRatio: number
  readonly deliveriesPerSecond: number
  /** From the first due time to the last delivery. */
  readonly windowSeconds: number
  readonly lost: number
  readonly duplicates: number
  /** Arrivals below a seq the socket already had: writers commit out of seq order, so not an error here. */
  readonly outOfOrder: number
  readonly socketsWithLoss: number
  readonly socketsOpen: number
  readonly latencyFromSourceMs: LatencySummary
  readonly latencyFromDueMs: LatencySummary
  readonly sourceLatencyBySecond: ReturnType<typeof percentilesBySecond>
  readonly cpuPercentOfOneCore: Record<string, number>
  readonly machineBusyPercent: number
  readonly serverRssBytes: number | null
  /** Sockets the server disconnected for falling too far behind, so far (the gateway counts them; baselines do not). */
  readonly slowConsumersDropped: number | null
}

function sum(values: Iterable<number>): number {
  let total = 0
  for (const value of values) total += value
  return total
}

export async function runStep(
  context: ScenarioContext,
  name: SystemName,
  system: FanoutSystem,
  workers: Worker[],
  meter: CpuMeter,
  rate: number,
): Promise<Step> {
  const { progress, options } = context
  const subscribers = numberOption(options, 'subscribers')
  const duration = numberOption(options, 'duration')
  const warmup = numberOption(options, 'warmup')
  const now = () => performance.timeOrigin + performance.now()
  progress.update(`${name}: ${rate}/s warm-up`)
  await system.publish('warmup', rate, Math.round(rate * warmup), now() + 20)
  await sleep(300)
  const count = Math.round(rate * duration)
  await ask(workers, { type: 'reset', maxSeq: count } satisfies WorkerCommand)
  const expected = count * subscribers
  meter.start()
  const startAt = now() + 50
  let done = false
  const publishing = system.publish('tick', rate, count, startAt).finally(() => (done = true))
  let received = 0
  let lastProgress = now()
  for (;;) {
    await sleep(500)
    const current = sum(
      (await ask<{ received: number }>(workers, { type: 'count' } satisfies WorkerCommand)).map((r) =>
        r.received
      ),
    )
    if (current > received) lastProgress = now()
    received = current
    progress.update(
      `${name}: ${rate}/s × ${subscribers} — ${received.toLocaleString('en')} of ${
        expected.toLocaleString('en')
      } deliveries`,
    )
    if (done && (received >= expected || now() - lastProgress > 3000)) break
  }
  const published = await publishing
  const cpu = meter.stop()
  const reports = await ask<SubscriberReport>(workers, { type: 'report' } satisfies WorkerCommand)
  let lost = 0
  let duplicates = 0
  let socketsWithLoss = 0
  let outOfOrder = 0
  for (const report of reports) {
    outOfOrder += sum(report.perSocketOutOfOrder)
    report.perSocketReceived.forEach((got, i) => {
      const dup = report.perSocketDuplicates[i]!
      const missing = Math.max(0, published.sent - (got - dup))
      duplicates += dup
      lost += missing
      if (missing > 0) socketsWithLoss++
    })
  }
  const n = sum(reports.map((r) => r.samples.length / 3))
  const fromSource = new Float64Array(n)
  const fromDue = new Float64Array(n)
  const second = new Float64Array(n)
  let k = 0
  for (const { samples } of reports) {
    for (let i = 0; i < samples.length; i += 3, k++) {
      fromSource[k] = samples[i]!
      fromDue[k] = samples[i + 1]!
      second[k] = Math.floor((samples[i + 2]! - startAt) / 1000)
    }
  }
  const bySecond = percentilesBySecond(second, fromSource)
  const window = (Math.max(...reports.map((r) => r.lastArrival)) - startAt) / 1000
  const expectedSent = published.sent * subscribers
  return {
    rate,
    offeredDeliveriesPerSecond: rate * subscribers,
    published,
    expected: expectedSent,
    received,
    deliveredRatio: expectedSent === 0 ? 0 : Math.min(received, expectedSent) / expectedSent,
    // Over the time the deliveries really took (a generator or server that fell behind stretches it), not the nominal duration.
    deliveriesPerSecond: Math.round(received / Math.max(duration, window)),
    windowSeconds: Math.round(window * 10) / 10,
    lost,
    duplicates,
    outOfOrder,
    socketsWithLoss,
    socketsOpen: sum(reports.map((r) => r.open)),
    latencyFromSourceMs: summarize(fromSource),
    latencyFromDueMs: summarize(fromDue),
    sourceLatencyBySecond: bySecond,
    cpuPercentOfOneCore: cpu.percentOfOneCore,
    machineBusyPercent: cpu.machineBusyPercent,
    serverRssBytes: await system.rssBytes(),
    slowConsumersDropped: await system.slowConsumersDropped(),
  }
}
