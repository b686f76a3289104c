import type { Worker } from 'node:worker_threads'
import { setTimeout as sleep } from 'node:timers/promises'
import { GATEWAY_LIMIT_DEFAULTS, signApiKey } from '../../stack/testing/index.ts'
import { TARGETS } from '../k6/scenarios.js'
import { CpuMeter } from '../bench/cpu.ts'
import { raisedLimits } from '../bench/limits.ts'
import { describeCpu, numberOption, type Scenario, type ScenarioContext } from '../bench/scenario.ts'
import {
  startSubscriberWorker,
  type SubscribersReady,
  type WorkerCommand,
} from '../bench/gateway/subscribers.ts'
import { startGatewayProcess, waitForIngest } from '../bench/gateway/process.ts'

/**
 * Connections (target: ≤ 10 KB RSS per idle socket at 10 000 sockets): a ramp to `--sockets` sockets against a
 * fresh gateway process, twice —
 *
 *   1. connected only (and heartbeating): connects per second, RSS per socket;
 *   2. each socket joining one channel, at `--join-rate` joins/s under the gateway's DEFAULT tenant join limit
 *      (Supabase's 100/s averaged over 5 s; the per-caller limit is lifted, as the sockets stand for many devices):
 *      join success, joins/s achieved, RSS per socket with a channel.
 *
 * Per-socket cost = (RSS with the sockets − RSS before) / sockets, read from the gateway's /realtime/v1/metrics
 * after `--settle` idle seconds, first as it is, then after a forced full GC (garbage the joins left behind is not
 * what the sockets hold, but a process carries it until the GC runs: both are reported).
 */

interface Phase {
  readonly sockets: number
  readonly channels: number
  readonly connectSeconds: number
  readonly connectsPerSecond: number
  readonly joinStatuses: Record<string, number>
  readonly joinSeconds: number
  readonly joinsPerSecond: number
  readonly rssBeforeBytes: number
  readonly rssAfterBytes: number
  readonly rssAfterGcBytes: number
  readonly bytesPerSocket: number
  readonly bytesPerSocketAfterGc: number
  readonly heapUsedAfterGcBytes: number
  readonly cpuPercentOfOneCore: Record<string, number>
  readonly machineBusyPercent: number
}

async function phase(context: ScenarioContext, join: boolean): Promise<Phase> {
  const { stack, progress, options } = context
  const sockets = numberOption(options, 'sockets')
  const workerCount = numberOption(options, 'workers')
  const settleMs = numberOption(options, 'settle') * 1000
  const joinRate = numberOption(options, 'join-rate')
  const apikey = await signApiKey(stack.jwtSecret, 'anon', Math.floor(Date.now() / 1000))
  // The default tenant-wide join limit, as on hosted Supabase. The per-caller and connection limits are lifted:
  // these sockets stand for many devices but all come from this address with one key (bench/limits.ts).
  const gateway = await startGatewayProcess(
    { dbUrl: stack.dbUrl, jwtSecret: stack.jwtSecret },
    raisedLimits('connections-gateway'),
    { exposeGc: true },
  )
  let workers: Worker[] = []
  try {
    await waitForIngest(gateway)
    // Warm the code paths (and the heap) with a few sockets first, so the baseline is not a cold process.
    const warm = startSubscriberWorker({
      url: gateway.url,
      apikey,
      topic: 'conn-warm',
      count: 50,
      sampleEvery: 0,
      join,
    })
    await new Promise((resolve) => warm.once('message', resolve))
    warm.postMessage({ type: 'close' } satisfies WorkerCommand)
    await sleep(Math.max(settleMs, 6000)) // and let the join limiter's 5 s window forget the warm-up joins
    await gateway.collectGarbage()
    const before = (await gateway.metrics()).process.rssBytes

    const meter = new CpuMeter({ gateway: gateway.pid })
    meter.start()
    const label = join ? `${sockets} sockets, joining at ${joinRate}/s` : `${sockets} sockets, connecting`
    workers = Array.from({ length: workerCount }, (_, index) =>
      startSubscriberWorker({
        url: gateway.url,
        apikey,
        topic: `conn-${index}`,
        count: Math.floor(sockets / workerCount) + (index < sockets % workerCount ? 1 : 0),
        sampleEvery: 0,
        join,
        joinsPerSecond: join ? joinRate / workerCount : undefined,
      }))
    const readyAll = Promise.all(
      workers.map((w) => new Promise<SubscribersReady>((resolve) => w.once('message', resolve))),
    )
    let ready: SubscribersReady[] | undefined
    void readyAll.then((r) => (ready = r))
    while (!ready) {
      const m = await gateway.metrics()
      progress.update(
        `${label}: ${m.sockets} open, ${m.channels} channels, gateway RSS ${
          Math.round(m.process.rssBytes / 2 ** 20)
        } MiB`,
      )
      await sleep(1000)
    }
    const cpu = meter.stop()
    await sleep(settleMs)
    const after = await gateway.metrics()
    await gateway.collectGarbage()
    const afterGc = await gateway.metrics()
    const statuses: Record<string, number> = {}
    for (const r of ready) {
      for (const [status, n] of Object.entries(r.joinStatuses)) {
        statuses[status] = (statuses[status] ?? 0) + n
      }
    }
    const connectSeconds = Math.max(...ready.map((r) => r.connectSeconds))
    const joinSeconds = Math.max(...ready.map((r) => r.joinSeconds))
    return {
      sockets: afterGc.sockets,
      channels: afterGc.channels,
      connectSeconds: Math.round(connectSeconds * 10) / 10,
      connectsPerSecond: Math.round(sockets / connectSeconds),
      joinStatuses: statuses,
      joinSeconds: Math.round(joinSeconds * 10) / 10,
      joinsPerSecond: join ? Math.round((statuses.ok ?? 0) / joinSeconds) : 0,
      rssBeforeBytes: before,
      rssAfterBytes: after.process.rssBytes,
      rssAfterGcBytes: afterGc.process.rssBytes,
      bytesPerSocket: Math.round((after.process.rssBytes - before) / Math.max(1, after.sockets)),
      bytesPerSocketAfterGc: Math.round((afterGc.process.rssBytes - before) / Math.max(1, afterGc.sockets)),
      heapUsedAfterGcBytes: afterGc.process.heapUsedBytes,
      cpuPercentOfOneCore: cpu.percentOfOneCore,
      machineBusyPercent: cpu.machineBusyPercent,
    }
  } finally {
    for (const w of workers) w.postMessage({ type: 'close' } satisfies WorkerCommand)
    await gateway.stop()
  }
}

export const connections: Scenario = {
  name: 'connections',
  summary:
    `ramp to N sockets: RSS per socket connected and with a channel, join success at the default join limit (${GATEWAY_LIMIT_DEFAULTS.maxJoinsPerSecond}/s)`,
  options: {
    sockets: String(TARGETS.connections.sockets),
    'join-rate': String(Math.floor(GATEWAY_LIMIT_DEFAULTS.maxJoinsPerSecond * 0.95)),
    settle: '5',
    workers: '2',
  },
  minutes: 3.5,
  async run(context) {
    const connected = await phase(context, false)
    context.progress.note(
      `connected only: ${connected.bytesPerSocket} B/socket (${connected.bytesPerSocketAfterGc} after GC)`,
    )
    const joined = await phase(context, true)
    const sockets = numberOption(context.options, 'sockets')
    const ok = joined.joinStatuses.ok ?? 0
    const rssTarget = TARGETS.connections.rssPerIdleSocketBytes
    return {
      parameters: {
        sockets,
        joinRate: numberOption(context.options, 'join-rate'),
        joinLimit: GATEWAY_LIMIT_DEFAULTS.maxJoinsPerSecond,
        settle: numberOption(context.options, 'settle'),
      },
      figures: {
        rssPerSocket: {
          label: `RSS per idle socket, connected only (${sockets} sockets, no forced GC)`,
          value: connected.bytesPerSocket,
          unit: 'bytes',
          target: rssTarget,
        },
        rssPerSocketGc: {
          label: 'RSS per idle socket, connected only, after a forced GC',
          value: connected.bytesPerSocketAfterGc,
          unit: 'bytes',
          target: rssTarget,
        },
        rssPerSocketJoined: {
          label: 'RSS per idle socket with one joined channel (no forced GC)',
          value: joined.bytesPerSocket,
          unit: 'bytes',
          target: rssTarget,
        },
        rssPerSocketJoinedGc: {
          label: 'RSS per idle socket with one joined channel, after a forced GC',
          value: joined.bytesPerSocketAfterGc,
          unit: 'bytes',
          target: rssTarget,
        },
        joinSuccess: {
          label: `join success at ${
            numberOption(context.options, 'join-rate')
          } joins/s (default limit ${GATEWAY_LIMIT_DEFAULTS.maxJoinsPerSecond}/s)`,
          value: ok / sockets,
          unit: 'ratio',
          target: { min: 1 },
        },
        joinsPerSecond: { label: 'joins/s achieved', value: joined.joinsPerSecond, unit: '/s' },
        connectsPerSecond: {
          label: 'connects/s (ramp of the connected-only phase)',
          value: connected.connectsPerSecond,
          unit: '/s',
        },
      },
      bottleneck: `joins are paced by the join limit; during the join ramp ${
        describeCpu(joined.cpuPercentOfOneCore, joined.machineBusyPercent)
      }`,
      cpuPercentOfOneCore: joined.cpuPercentOfOneCore,
      data: { connectedOnly: connected, joinedOneChannel: joined },
    }
  },
}
