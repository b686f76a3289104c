import postgres from 'postgres'
import { signApiKey } from '../../stack/testing/index.ts'
import { HOT_TOPIC, TARGETS } from '../k6/scenarios.js'
import { CpuMeter, LOAD_GENERATOR, postgresCpuReader } from '../bench/cpu.ts'
import { describeCpu, numberOption, type Scenario } from '../bench/scenario.ts'
import type { Figure } from '../bench/scenario.ts'
import { startSubscriberWorker, type WorkerCommand } from '../bench/gateway/subscribers.ts'
import { ceiling, ceilingLabel } from './hot-topic/ceiling.ts'
import { runStep, type Step } from './hot-topic/step.ts'
import { body, startSystem, type SystemName } from './hot-topic/systems.ts'

/**
 * Hot topic and the fan-out ceiling (targets in `TARGETS.hotTopic`), side by side with the baselines a user would pick instead:
 *
 *   (a) bare     a `ws` server broadcasting pre-encoded frames, no database (load/baselines/bare-ws-server.ts)
 *   (b) relay    Postgres LISTEN/NOTIFY relayed over `ws`, no authorization (load/baselines/notify-relay.ts)
 *   (c) gateway  this gateway: inserts into realtime.messages → logical replication → fan-out
 *
 * Each system gets the same subscribers (raw vsn 2.0.0 sockets over worker threads, one in `--sample-every`
 * decoding with realtime-js) and the same ~330-byte item payload, at every rate of `--rates` (messages/s; × the
 * subscribers = deliveries/s) for `--duration` seconds after `--warmup` seconds. Arrivals are open loop and every
 * latency is measured from two points: `t`, the source's own clock (clock_timestamp() inside the inserting or
 * notifying statement — the database's clock; for the bare server its own send time), and `due`, when the
 * generator was meant to send (so a generator that falls behind shows). Loss and duplicates are counted per socket
 * by `seq`. A system's ceiling is the most deliveries/s it carried with ≥ 99.9 % delivered at p99 ≤ 100 ms.
 */

export const hotTopic: Scenario = {
  name: 'hot-topic',
  summary:
    'N subscribers on one topic at a sweep of rates: the bare ws ceiling, a LISTEN/NOTIFY relay and this gateway, same run',
  options: {
    subscribers: String(HOT_TOPIC.subscribers),
    rates: HOT_TOPIC.sweep.join(','),
    'headline-rate': String(HOT_TOPIC.rate),
    duration: '10',
    warmup: '2',
    workers: '2',
    'sample-every': '10',
    systems: 'bare,relay,gateway',
  },
  minutes: 6,
  async run(context) {
    const { options, progress, stack } = context
    const subscribers = numberOption(options, 'subscribers')
    const headline = numberOption(options, 'headline-rate')
    const rates = options.rates!.split(',').map(Number)
    if (!rates.includes(headline)) rates.push(headline)
    rates.sort((a, b) => a - b)
    const systems = options.systems!.split(',') as SystemName[]
    const workerCount = numberOption(options, 'workers')
    const apikey = await signApiKey(stack.jwtSecret, 'anon', Math.floor(Date.now() / 1000))
    const probe = postgres(stack.dbUrl, { max: 1, onnotice: () => {} })
    const postgresSeconds = await postgresCpuReader(probe)
    await probe.end()

    const results: Partial<Record<SystemName, Step[]>> = {}
    for (const name of systems) {
      const topic = `bench-hot-${name}-${process.pid}`
      progress.update(`${name}: starting, ${subscribers} subscribers`)
      const system = await startSystem(name, context, topic)
      const workers = Array.from({ length: workerCount }, (_, index) =>
        startSubscriberWorker({
          url: system.url,
          apikey,
          topic,
          count: Math.floor(subscribers / workerCount) + (index < subscribers % workerCount ? 1 : 0),
          sampleEvery: numberOption(options, 'sample-every'),
          join: true,
        }))
      const steps: Step[] = []
      try {
        await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))))
        const meter = new CpuMeter({
          [name === 'gateway' ? 'gateway' : `${name} server`]: system.pid,
          postgres: postgresSeconds,
        })
        for (const rate of rates) {
          const step = await runStep(context, name, system, workers, meter, rate)
          steps.push(step)
          progress.note(
            `${name} ${rate}/s: ${(step.deliveredRatio * 100).toFixed(2)} % delivered, ${
              step.deliveriesPerSecond.toLocaleString('en')
            }/s, p50 ${step.latencyFromSourceMs.p50} / p99 ${step.latencyFromSourceMs.p99} ms`,
          )
          // Past the knee: more load only takes longer to fail.
          if (step.deliveredRatio < 0.99 || (step.latencyFromDueMs.p99 ?? Infinity) > 2000) break
        }
      } finally {
        for (const w of workers) w.postMessage({ type: 'close' } satisfies WorkerCommand)
        await system.stop()
      }
      results[name] = steps
    }

    const at = (name: SystemName) => results[name]?.find((s) => s.rate === headline)
    const gateway = at('gateway')
    const ceilings = Object.fromEntries(systems.map((name) => [name, ceiling(results[name]!)])) as Record<
      SystemName,
      number
    >
    // Unrounded: the report formats figures (rounding here once turned 41 ms against 9.9 s into 0).
    const ratio = (a: number | undefined, b: number | undefined) => (a !== undefined && b ? a / b : null)
    const relayP99 = at('relay')?.latencyFromSourceMs.p99 ?? undefined
    const figures: Record<string, Figure> = {}
    if (gateway) {
      figures.delivered = {
        label: `gateway, ${subscribers} subscribers × ${headline}/s: delivered`,
        value: gateway.deliveredRatio,
        unit: 'ratio',
        target: TARGETS.hotTopic.deliveredRatio,
      }
      figures.p50 = {
        label: `gateway p50 (DB clock → callback) at ${headline}/s`,
        value: gateway.latencyFromSourceMs.p50,
        unit: 'ms',
      }
      figures.p95 = {
        label: `gateway p95 at ${headline}/s`,
        value: gateway.latencyFromSourceMs.p95,
        unit: 'ms',
      }
      figures.p99 = {
        label: `gateway p99 at ${headline}/s`,
        value: gateway.latencyFromSourceMs.p99,
        unit: 'ms',
        target: TARGETS.hotTopic.p99Ms,
      }
      figures.p99FromDue = {
        label: `gateway p99 from the due time (generator lag included) at ${headline}/s`,
        value: gateway.latencyFromDueMs.p99,
        unit: 'ms',
      }
      figures.connected = {
        label: `gateway: subscribers still connected after the ${headline}/s step (slow consumers dropped: ${
          gateway.slowConsumersDropped ?? '?'
        })`,
        value: gateway.socketsOpen,
        unit: 'sockets',
        target: { min: subscribers },
      }
      figures.lost = {
        label: `gateway: seqs lost over all sockets at ${headline}/s`,
        value: gateway.lost,
        unit: 'messages',
        target: { max: 0 },
      }
      figures.duplicates = {
        label: `gateway: duplicate deliveries at ${headline}/s`,
        value: gateway.duplicates,
        unit: 'messages',
        target: { max: 0 },
      }
      figures.ceiling = {
        label: ceilingLabel(
          'gateway fan-out ceiling (≥ 99.9 % delivered, p99 from the due time ≤ 100 ms)',
          results.gateway!,
        ),
        value: ceilings.gateway,
        unit: 'deliveries/s',
        target: TARGETS.fanoutCeiling.deliveriesPerSecond,
      }
      figures.loadGenerator = {
        label: `load generator CPU at ${headline}/s (gateway run)`,
        value: gateway.cpuPercentOfOneCore[LOAD_GENERATOR] ?? null,
        unit: '% of a core',
      }
    }
    if (results.bare) {
      figures.bareCeiling = {
        label: ceilingLabel('(a) bare ws ceiling', results.bare),
        value: ceilings.bare,
        unit: 'deliveries/s',
      }
    }
    if (results.relay) {
      figures.relayCeiling = {
        label: ceilingLabel('(b) LISTEN/NOTIFY relay ceiling', results.relay),
        value: ceilings.relay,
        unit: 'deliveries/s',
      }
    }
    if (results.bare && results.gateway) {
      figures.vsBare = {
        label: 'gateway ÷ bare ws: ceiling deliveries/s',
        value: ratio(ceilings.gateway, ceilings.bare),
        unit: '×',
        target: TARGETS.baselines.vsBareDeliveriesRatio,
      }
    }
    if (results.relay && results.gateway) {
      figures.vsRelay = {
        label: 'gateway ÷ relay: ceiling deliveries/s',
        value: ratio(ceilings.gateway, ceilings.relay),
        unit: '×',
        target: TARGETS.baselines.vsRelayDeliveriesRatio,
      }
      figures.vsRelayP99 = {
        label: `gateway p99 ÷ relay p99 at ${headline}/s`,
        value: ratio(gateway?.latencyFromSourceMs.p99 ?? undefined, relayP99),
        unit: '×',
        target: { max: 1 },
      }
    }

    const top = results.gateway?.at(-1)
    const bottleneck = top
      ? `gateway at its highest step (${top.rate}/s, ${
        top.deliveriesPerSecond.toLocaleString('en')
      } deliveries/s): ${describeCpu(top.cpuPercentOfOneCore, top.machineBusyPercent)}`
      : 'gateway not measured'
    return {
      parameters: {
        subscribers,
        rates,
        headlineRate: headline,
        systems,
        duration: numberOption(options, 'duration'),
        warmup: numberOption(options, 'warmup'),
        workers: workerCount,
        sampleEvery: numberOption(options, 'sample-every'),
        payloadBytes: JSON.stringify(body(1, Date.now())).length + 20,
        vsn: '2.0.0',
      },
      figures,
      bottleneck,
      cpuPercentOfOneCore: gateway?.cpuPercentOfOneCore ?? {},
      data: {
        clock:
          "latency from `t`: clock_timestamp() in the writing statement (gateway, relay) or the bare server's send time; from `due`: the generator's schedule (the ceiling uses this one); receiver: same host clock",
        ceilings,
        systems: results,
      },
    }
  },
}
