import { LOAD_GENERATOR } from '../../bench/cpu.ts'
import type { Figure, ScenarioOutput, ScenarioSeries } from '../../bench/scenario.ts'
import { median } from '../../bench/stats.ts'
import { type CapacityOptions, TARGETS } from './options.ts'
import type { StepResult } from './step.ts'
import type { SystemRun } from './system-run.ts'

/** What a subscriber of each system can tell and do when its socket drops (the record keeps it beside the figures). */
export const AFTER_A_DROP = {
  ours:
    "Every message has its topic's contiguous seq and the topic log keeps it: a subscriber sees a gap (or, on " +
    'rejoin, a head beyond its last seq) and fetches exactly what it missed from /catch-up, or a snapshot when ' +
    'the log was pruned; duplicates are recognised by seq and dropped.',
  peer:
    'Messages carry no sequence and no log serves them again: a subscriber cannot tell whether or what it missed ' +
    'while the socket was down (nor tell a repeat from a new change except by comparing rows); its only recovery ' +
    'is to re-read every table it shows after each reconnect, and changes that happened and were overwritten in ' +
    'between are gone.',
} as const

/** Median, over a system's steps, of the bytes a screen of each role received per write of its restaurant. */
function bytesByRole(steps: StepResult[]): Record<string, number> {
  const roles = [...new Set(steps.flatMap((s) => Object.keys(s.bytesPerScreenPerWrite)))]
  return Object.fromEntries(
    roles.map((role) => [role, Math.round(median(steps.map((s) => s.bytesPerScreenPerWrite[role] ?? 0)))]),
  )
}

/** The step a system's headline CPU comes from: the highest passing rate of its first sweep, else its first step. */
function headlineStep(run: SystemRun): StepResult | undefined {
  const first = run.steps.filter((s) => s.sweep === 1)
  return first.filter((s) => s.passed).at(-1) ?? first[0]
}

/** Where the first failing step of sweep 1 fell short, with what its window held, in a sentence. */
function firstFailure(run: SystemRun): string {
  const failed = run.steps.find((s) => s.sweep === 1 && !s.passed)
  if (!failed) return `${run.system}: every rate passed (the ladder's top is a lower bound)`
  const r = failed.readings
  const waits = Object.entries(r.waitEvents).slice(0, 3).map(([k, v]) => `${k} ${v}`).join(', ')
  const thread = r.gatewayLoop?.mainThreadMsPerSecond
  const waited = thread
    ? ` (its thread on a CPU ${thread.onCpu.mean} ms/s, waiting for one ${thread.waitingForCpu.mean} ms/s, worst second ${thread.waitingForCpu.max} ms)`
    : ''
  const loop = r.gatewayLoop
    ? `, gateway loop delay p99 ≤ ${r.gatewayLoop.loopDelayMs.p99Max} ms${waited}, GC ${r.gatewayLoop.gc.totalMs} ms`
    : ''
  return `${run.system}: first failing step ${failed.rate}/s (${
    failed.failures.join(', ')
  }): machine ${r.machineBusyPercent} % busy, ` +
    `Postgres ${r.cpuPercentOfOneCore.postgres} % / gateway ${r.cpuPercentOfOneCore.gateway} % / generator ${r.cpuPercentOfOneCore.generator} % of a core, ` +
    `active backends ${r.activeBackendsMean} (max ${r.activeBackendsMax}), waits per sample ${waits}, ingest lag max ${r.ingestLagMs.max} ms${loop}, subscriber threads' loop delay p99 ${failed.subscriberLoopDelayMs.p99} ms`
}

const ratio = (
  a: number | null | undefined,
  b: number | null | undefined,
) => (a != null && b ? Math.round((a / b) * 100) / 100 : null)

/** What the comparison needs of one system: its capacity and the bytes a screen of each role got per write. */
interface SystemSummary {
  readonly capacity: number | null
  readonly bytes: Record<string, number> | undefined
}

/** Ours ÷ the peer: capacity, bytes per screen by role, and the cook's saving (`basis` says what was compared). */
function comparison(ours: SystemSummary, peer: SystemSummary, basis: string): Record<string, Figure> {
  const figures: Record<string, Figure> = {
    capacityRatio: {
      label: `capacity, ours ÷ peer${basis}`,
      value: ratio(ours.capacity, peer.capacity),
      unit: '×',
      target: { min: 2 },
    },
  }
  for (const role of ['cook', 'server', 'expo', 'manager', 'floor']) {
    figures[`bytes_${role}`] = {
      label: `bytes per ${role} screen per write, ours ÷ peer${basis}`,
      value: ratio(ours.bytes?.[role], peer.bytes?.[role]),
      unit: '×',
    }
  }
  const saving = ratio(ours.bytes?.cook, peer.bytes?.cook)
  figures.cookSaving = {
    label: `fewer bytes for a cook than the peer${basis}`,
    value: saving === null ? null : Math.round((1 - saving) * 100),
    unit: '%',
    target: { min: 80 },
  }
  return figures
}

/** What a record keeps of each system it measured (`data.systems.<system>`, written by capacityOutput below). */
interface RecordedSystem {
  readonly capacity: number | null
  readonly bytesPerScreenPerWrite?: Record<string, number>
}

/**
 * Ours and the peer measured in runs of their own (`--system ours|peer`): each system's runs are a series, and the
 * ratios compare the medians of the latest group of each. A run where no rate passed counts as 0 writes/s.
 */
export const CAPACITY_SERIES: ScenarioSeries = {
  of: (parameters) => Array.isArray(parameters.systems) ? parameters.systems.join(' + ') : 'ours + peer',
  compare(groups) {
    const summary = (system: 'ours' | 'peer') => {
      const recorded = (groups[system] ?? []).flatMap((run) =>
        (run.data.systems as Record<string, RecordedSystem> | undefined)?.[system] ?? []
      )
      if (recorded.length === 0) return undefined
      const roles = [...new Set(recorded.flatMap((r) => Object.keys(r.bytesPerScreenPerWrite ?? {})))]
      return {
        runs: recorded.length,
        capacity: median(recorded.map((r) => r.capacity ?? 0)),
        bytes: Object.fromEntries(
          roles.map((role) => [role, median(recorded.map((r) => r.bytesPerScreenPerWrite?.[role] ?? 0))]),
        ),
      }
    }
    const ours = summary('ours')
    const peer = summary('peer')
    if (!ours || !peer) return {}
    return comparison(
      ours,
      peer,
      ` (medians of ${ours.runs} runs of ours and ${peer.runs} of the peer, apart)`,
    )
  },
}

export function capacityOutput(options: CapacityOptions, runs: SystemRun[], screens: number): ScenarioOutput {
  const ours = runs.find((r) => r.system === 'ours')
  const peer = runs.find((r) => r.system === 'peer')
  const bytes = {
    ours: ours ? bytesByRole(ours.steps) : undefined,
    peer: peer ? bytesByRole(peer.steps) : undefined,
  }
  const sweeps = `median of ${options.sweeps} sweep${options.sweeps === 1 ? '' : 's'}`
  const figures: Record<string, Figure> = {}
  if (ours) {
    figures.capacityOurs = {
      label: `capacity, ours (${sweeps})`,
      value: ours.capacity,
      unit: 'writes/s',
      target: { min: 300 },
    }
    figures.lowestSweepOurs = {
      label: 'capacity, ours, lowest sweep',
      value: ours.perSweep.length ? Math.min(...ours.perSweep.map((c) => c ?? 0)) : null,
      unit: 'writes/s',
      target: { min: 250 },
    }
  }
  if (peer) {
    figures.capacityPeer = {
      label: `capacity, peer: broadcast_changes (${sweeps})`,
      value: peer.capacity,
      unit: 'writes/s',
    }
  }
  if (ours && peer) {
    Object.assign(
      figures,
      comparison({ capacity: ours.capacity, bytes: bytes.ours }, {
        capacity: peer.capacity,
        bytes: bytes.peer,
      }, ''),
    )
  }
  const headline = ours ? headlineStep(ours) : peer ? headlineStep(peer) : undefined
  const cpu = headline?.readings.cpuPercentOfOneCore
  return {
    parameters: {
      restaurants: options.restaurants,
      sockets: options.sockets,
      screens,
      rates: options.rates,
      stepSeconds: options.stepSeconds,
      warmupSeconds: options.warmupSeconds,
      sweeps: options.sweeps,
      systems: options.systems,
      gateway: options.gateway,
      gatewayNice: options.gatewayNice,
      gatewayNodeOptions: options.gatewayNodeOptions,
      writerPool: options.pool,
      sampleEvery: options.sampleEvery,
      shortPass: options.shortPass,
      targets: TARGETS,
    },
    figures,
    bottleneck: runs.map(firstFailure).join('; '),
    cpuPercentOfOneCore: cpu
      ? { postgres: cpu.postgres, gateway: cpu.gateway, [LOAD_GENERATOR]: cpu.generator }
      : {},
    data: {
      systems: Object.fromEntries(runs.map((r) => [r.system, {
        capacity: r.capacity,
        perSweep: r.perSweep,
        joinSeconds: r.joinSeconds,
        joinErrors: r.joinErrors,
        bytesPerScreenPerWrite: bytes[r.system],
        afterADrop: AFTER_A_DROP[r.system],
        steps: r.steps,
      }])),
    },
  }
}
