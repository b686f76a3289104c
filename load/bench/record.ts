import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { cpus, hostname, release, totalmem } from 'node:os'
import { join } from 'node:path'
import type { ContentionReport } from './contention.ts'
import { repoRoot, RESULTS_DIR } from './paths.ts'
import type { Figure, ScenarioOutput } from './scenario.ts'

/**
 * One benchmark run as it is kept in load/results/: where and on what it ran, with which parameters, how busy
 * the machine was, and what it measured. Every benchmark writes this one format (`npm run bench` and the scripts
 * with their own command lines alike). Files are only ever added (`<scenario>-<time>.json`), never rewritten, so
 * the report can always be rebuilt from every run there is.
 */

export const RECORD_SCHEMA = 'plater-bench/1'

export interface RunRecord {
  readonly schema: typeof RECORD_SCHEMA
  readonly scenario: string
  /** Shared by the scenarios of one `npm run bench` invocation. */
  readonly runId: string
  /** Null in records converted from an earlier format (`convertedFrom`), which kept only the end. */
  readonly startedAt: string | null
  readonly finishedAt: string
  /** Null in records converted from an earlier format that did not keep it (`convertedFrom`). */
  readonly machine: ReturnType<typeof machineInfo> | null
  readonly versions: Record<string, string | null>
  readonly git: { commit: string | null; branch: string | null; dirty: boolean | null }
  readonly parameters: Record<string, unknown>
  readonly contention: ContentionReport
  /** Figures in the order the report lists them, keyed by a stable id. */
  readonly figures: Record<string, Figure>
  /** What holds the figures back, as measured (CPU shares, queues…), in a sentence. */
  readonly bottleneck: string
  /** CPU per process during the measured window, % of one core ("load generator" included). */
  readonly cpuPercentOfOneCore: Record<string, number>
  /** Everything else the scenario measured, for charts and for whoever reads the file. */
  readonly data: Record<string, unknown>
  /**
   * Set in the records written before this format (by earlier scripts, converted once on 2026-12-04): the format
   * they were in. Their `data` is the original file's content; machine, versions and git were not recorded.
   */
  readonly convertedFrom?: string
}

export function machineInfo() {
  return {
    hostname: hostname(),
    os: `${process.platform} ${release()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryBytes: totalmem(),
  }
}

const require = createRequire(import.meta.url)

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version
  } catch {
    return null
  }
}

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
  } catch {
    return null
  }
}

export function gitInfo(): RunRecord['git'] {
  const status = git('status', '--porcelain', '--untracked-files=no')
  return {
    commit: git('rev-parse', 'HEAD'),
    branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    dirty: status === null ? null : status.length > 0,
  }
}

export function versions(postgres: string | null): Record<string, string | null> {
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string }
  return {
    platerRealtime: own.version,
    node: process.version,
    postgres,
    ws: packageVersion('ws'),
    supabaseJs: packageVersion('@supabase/supabase-js'),
    realtimeJs: packageVersion('@supabase/realtime-js'),
    postgresJs: packageVersion('postgres'),
    deno: packageVersion('deno'),
  }
}

/**
 * Writes a new result file; never overwrites one (the time stamp has milliseconds; a clash gets a suffix). A script
 * that `npm run bench` runs as a child writes to the scratch dir PLATER_BENCH_RESULTS_DIR names instead: the
 * harness keeps the run's record itself, so it is not counted twice.
 */
export function appendRecord(
  record: RunRecord,
  dir = process.env.PLATER_BENCH_RESULTS_DIR || RESULTS_DIR,
): string {
  mkdirSync(dir, { recursive: true })
  const stamp = record.finishedAt.replace(/[:.]/g, '-')
  let path = join(dir, `${record.scenario}-${stamp}.json`)
  for (let n = 2; existsSync(path); n++) path = join(dir, `${record.scenario}-${stamp}-${n}.json`)
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' })
  return path
}

/** A finished run's record: the scenario's output with the machine, versions, git state and contention. */
export function recordOf(run: {
  scenario: string
  runId: string
  startedAt: string
  contention: ContentionReport
  postgresVersion: string | null
  output: ScenarioOutput
}): RunRecord {
  const { output } = run
  return {
    schema: RECORD_SCHEMA,
    scenario: run.scenario,
    runId: run.runId,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    machine: machineInfo(),
    versions: versions(run.postgresVersion),
    git: gitInfo(),
    parameters: output.parameters,
    contention: run.contention,
    figures: output.figures,
    bottleneck: output.bottleneck,
    cpuPercentOfOneCore: output.cpuPercentOfOneCore,
    data: output.data,
  }
}

/** Every record in load/results/ (not its subfolders of experiments), oldest first, with its file name. */
export function readRecords(): { file: string; record: RunRecord }[] {
  if (!existsSync(RESULTS_DIR)) return []
  return readdirSync(RESULTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((file) => {
      const record = JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as RunRecord
      if (record.schema !== RECORD_SCHEMA) {
        throw new Error(`load/results/${file} is not a ${RECORD_SCHEMA} record`)
      }
      return { file, record }
    })
    .sort((a, b) => a.record.finishedAt.localeCompare(b.record.finishedAt))
}
