import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, hostname, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../gateway-harness.ts';
import type { ContentionReport } from './contention.ts';

/**
 * One benchmark run as it is kept in load/results/: where and on what it ran, with which parameters, how busy
 * the machine was, and what it measured. Files are only ever added (`<scenario>-<time>.json`), never rewritten,
 * so the report can always be rebuilt from every run there is.
 */

export const RESULTS_DIR = join(repoRoot, 'load', 'results');
export const RECORD_SCHEMA = 'plater-bench/1';

/** A figure the report compares with its target (TARGETS in k6/scenarios.js; shown for context when it has none). */
export interface Figure {
  readonly label: string;
  readonly value: number | null;
  readonly unit: string;
  /** Met when value ≤ max / ≥ min. */
  readonly target?: { readonly max?: number; readonly min?: number };
}

export interface RunRecord {
  readonly schema: typeof RECORD_SCHEMA;
  readonly scenario: string;
  /** Shared by the scenarios of one `npm run bench` invocation. */
  readonly runId: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: ReturnType<typeof machineInfo>;
  readonly versions: Record<string, string | null>;
  readonly git: { commit: string | null; branch: string | null; dirty: boolean | null };
  readonly parameters: Record<string, unknown>;
  readonly contention: ContentionReport;
  /** Figures in the order the report lists them, keyed by a stable id. */
  readonly figures: Record<string, Figure>;
  /** What holds the figures back, as measured (CPU shares, queues…), in a sentence. */
  readonly bottleneck: string;
  /** CPU per process during the measured window, % of one core ("load generator" included). */
  readonly cpuPercentOfOneCore: Record<string, number>;
  /** Everything else the scenario measured, for charts and for whoever reads the file. */
  readonly data: Record<string, unknown>;
}

export function machineInfo() {
  return {
    hostname: hostname(),
    os: `${process.platform} ${release()}`,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? null,
    memoryBytes: totalmem(),
  };
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return null;
  }
}

function git(...args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

export function gitInfo(): RunRecord['git'] {
  const status = git('status', '--porcelain', '--untracked-files=no');
  return {
    commit: git('rev-parse', 'HEAD'),
    branch: git('rev-parse', '--abbrev-ref', 'HEAD'),
    dirty: status === null ? null : status.length > 0,
  };
}

export function versions(postgres: string | null): Record<string, string | null> {
  const own = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  return {
    platerRealtime: own.version,
    node: process.version,
    postgres,
    ws: packageVersion('ws'),
    supabaseJs: packageVersion('@supabase/supabase-js'),
    realtimeJs: packageVersion('@supabase/realtime-js'),
    postgresJs: packageVersion('postgres'),
    deno: packageVersion('deno'),
  };
}

/** Writes a new result file; never overwrites one (the time stamp has milliseconds; a clash gets a suffix). */
export function appendRecord(record: RunRecord): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = record.finishedAt.replace(/[:.]/g, '-');
  let path = join(RESULTS_DIR, `${record.scenario}-${stamp}.json`);
  for (let n = 2; existsSync(path); n++) path = join(RESULTS_DIR, `${record.scenario}-${stamp}-${n}.json`);
  writeFileSync(path, `${JSON.stringify(record, null, 2)}\n`, { flag: 'wx' });
  return path;
}

/** Every result file, oldest first, with its name (records of earlier formats included, parsed as JSON). */
export function readAllResults(): { file: string; json: Record<string, any> }[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((name) => name.endsWith('.json'))
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(RESULTS_DIR, file), 'utf8')) as Record<string, any> }))
    .sort((a, b) => String(a.json.finishedAt ?? a.json.date ?? a.json.at).localeCompare(String(b.json.finishedAt ?? b.json.date ?? b.json.at)));
}
