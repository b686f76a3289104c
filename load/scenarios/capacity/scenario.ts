import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import postgres from 'postgres'
import { raisedLimits } from '../../bench/limits.ts'
import type { Scenario } from '../../bench/scenario.ts'
import {
  type GatewayProcess,
  stackGateway,
  startGatewayProcess,
  waitForIngest,
} from '../../bench/gateway/process.ts'
import { otherDecoders, postmasterPid } from '../../bench/postgres-cpu.ts'
import { removeFixture, seedFixture } from './fixture.ts'
import { type CapacityOptions, DEFAULT_OPTIONS, parseOptions, withShortPass } from './options.ts'
import { CAPACITY_SERIES, capacityOutput } from './summary.ts'
import { removePeer, runSystem, type SystemRun } from './system-run.ts'
import { TableWriter } from './writer.ts'

/** Joins a second of the stack's own gateway admits from one caller, under its default budget of 100 (as `service`). */
const STACK_GATEWAY_JOINS_PER_SECOND = 90

async function openGateway(
  stack: Parameters<Scenario['run']>[0]['stack'],
  options: Pick<CapacityOptions, 'gateway' | 'gatewayNice' | 'gatewayNodeOptions'>,
  probeDir: string,
): Promise<{ gateway: GatewayProcess; joinsPerSecond: number; loopProbeFile: string | undefined }> {
  if (options.gateway === 'stack') {
    const pid = stack.apiPid()
    if (pid === undefined) {
      throw new Error("--gateway stack needs the stack's API process (stack.json): use --gateway own")
    }
    return {
      gateway: await stackGateway(stack, pid),
      joinsPerSecond: STACK_GATEWAY_JOINS_PER_SECOND,
      loopProbeFile: undefined,
    }
  }
  const loopProbeFile = join(probeDir, 'gateway-loop.jsonl')
  const loopProbe = fileURLToPath(new URL('./loop-probe.mjs', import.meta.url))
  const gateway = await startGatewayProcess(stack, {
    ...raisedLimits('service-own-gateway'),
    NODE_OPTIONS: [`--import=${loopProbe}`, options.gatewayNodeOptions].filter(Boolean).join(' '),
    PLATER_LOOP_PROBE_FILE: loopProbeFile,
    ...(options.gatewayNice === null ? {} : { PLATER_REALTIME_NICE: String(options.gatewayNice) }),
  })
  return { gateway, joinsPerSecond: 0, loopProbeFile }
}

/**
 * Capacity: the most writes per second the box serves while every screen stays inside p50 5 / p95
 * 20 / p99 50 ms with nothing lost or duplicated, for this project and for the peer (Supabase's documented
 * broadcast_changes pattern, peer.sql), with what each step's window held (load/README.md "Capacity").
 */
export const capacity: Scenario = {
  name: 'capacity',
  summary:
    'writes/s inside p50 5 / p95 20 / p99 50 ms, 0 lost: stepped rates over 10 000 joined sockets, 3 sweeps, ours and the broadcast_changes peer',
  options: { ...DEFAULT_OPTIONS },
  minutes: 50,
  series: CAPACITY_SERIES,
  async run({ stack, progress, options: values, given }) {
    const options = parseOptions(withShortPass(values, given))
    if (options.shortPass) {
      progress.note(
        `  a short pass: ${options.sockets} sockets, ${options.restaurants} restaurants, ${
          options.rates.join(', ')
        } writes/s, ${options.stepSeconds} s steps, ${options.sweeps} sweep`,
      )
    }
    const sql = postgres(stack.dbUrl, { max: options.pool, onnotice: () => {} })
    const probeSql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} })
    const probeDir = mkdtempSync(join(tmpdir(), 'plater-capacity-'))
    let gateway: GatewayProcess | undefined
    try {
      await removePeer(probeSql)
      progress.update(`capacity: seeding ${options.restaurants} restaurants`)
      const fixture = await seedFixture(sql, stack.jwtSecret, options.restaurants)
      const opened = await openGateway(stack, options, probeDir)
      gateway = opened.gateway
      await waitForIngest(gateway)
      const context = {
        sql,
        probeSql,
        jwtSecret: stack.jwtSecret,
        gateway,
        joinsPerSecond: opened.joinsPerSecond,
        postmaster: await postmasterPid(sql),
        ignoredDecoders: await otherDecoders(sql, gateway.slot),
        loopProbeFile: opened.loopProbeFile,
        fixture,
        writer: new TableWriter(sql, fixture.tables),
        progress,
      }
      const runs: SystemRun[] = []
      for (const system of options.systems) runs.push(await runSystem(system, context, options))
      return capacityOutput(options, runs, fixture.screens.length)
    } finally {
      await gateway?.stop()
      await removePeer(probeSql).catch(() => {})
      await removeFixture(sql).catch(() => {})
      await Promise.all([sql.end(), probeSql.end()])
      rmSync(probeDir, { recursive: true, force: true })
    }
  },
}
