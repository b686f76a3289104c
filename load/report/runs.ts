import { TARGETS } from '../k6/scenarios.js'
import { readRecords, type RunRecord } from '../bench/record.ts'

/** One run as the report sees it: its record and the file it is in. */
export interface Run extends
  Pick<
    RunRecord,
    'scenario' | 'finishedAt' | 'parameters' | 'figures' | 'bottleneck' | 'cpuPercentOfOneCore'
  > {
  readonly file: string
  readonly commit: string | null
  readonly contended: boolean | null
  readonly record: RunRecord
}

export function loadRuns(): Run[] {
  return readRecords().map(({ file, record }) => ({
    ...record,
    file,
    contended: record.contention.contended,
    commit: record.git.commit,
    record,
  }))
}

/** Runs with the same key were made with the same parameters. */
export const parametersKey = (parameters: Record<string, unknown>) => JSON.stringify(parameters)

/** The latest run and up to four before it with the same parameters, none of a different kind in between. */
export function latestGroup(runs: Run[]): Run[] {
  const latest = runs.at(-1)
  if (!latest) return []
  const group: Run[] = []
  for (let i = runs.length - 1; i >= 0 && group.length < TARGETS.runs; i--) {
    if (parametersKey(runs[i]!.parameters) !== parametersKey(latest.parameters)) break
    group.unshift(runs[i]!)
  }
  return group
}
