import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { postmasterPid } from './bench/postgres-cpu.ts'
import { relative } from 'node:path'
import { SCENARIOS } from './bench/scenarios.ts'
import { Progress } from './bench/progress.ts'
import { type BenchStack, openBenchStack } from './bench/stack.ts'
import { appendRecord, recordOf } from './bench/record.ts'
import { watchContention } from './bench/contention.ts'
import { writeReport } from './report/report.ts'
import { repoRoot } from './bench/paths.ts'
import type { Scenario } from './bench/scenario.ts'

/**
 * `npm run bench -- <scenario|all|report> [--option value …]`: runs benchmark scenarios against the stack the
 * PLATER_* variables name, or against one it starts itself on free ports; appends one JSON record per scenario to
 * load/results/; then rebuilds load/results/REPORT.md and its charts from every record there.
 */

const USAGE = `usage: npm run bench -- <scenario|all|report> [--option value …]

  all       every scenario below, in this order (options apply to the scenarios that know them)
  report    only rebuild load/results/REPORT.md from the results there

${
  SCENARIOS.map((s) =>
    `  ${s.name.padEnd(14)}${s.summary} (~${s.minutes} min)\n${' '.repeat(16)}${
      Object.entries(s.options).map(([k, v]) => (v === '' ? `[--${k} …]` : `--${k} ${v}`)).join(' ')
    }`
  ).join('\n')
}

Against a running stack when PLATER_API_URL, PLATER_DB_URL, PLATER_ANON_KEY and PLATER_JWT_SECRET are set
(e.g. eval "$(npx plater status -o env | sed 's/^/PLATER_/')"); otherwise a private stack on free ports.
--no-report skips rebuilding the report.`

function parseCommandLine(
  argv: string[],
): { target: string; options: Record<string, string>; report: boolean } {
  const [target, ...rest] = argv
  if (!target || target === '--help' || target === '-h') {
    console.log(USAGE)
    process.exit(target ? 0 : 2)
  }
  const options: Record<string, string> = {}
  let report = true
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!
    if (arg === '--no-report') report = false
    else if (arg.startsWith('--') && rest[i + 1] !== undefined) options[arg.slice(2)] = rest[++i]!
    else throw new Error(`unexpected argument "${arg}"\n\n${USAGE}`)
  }
  return { target, options, report }
}

function selected(target: string, options: Record<string, string>): Scenario[] {
  if (target === 'report') return []
  const scenarios = target === 'all' ? SCENARIOS : SCENARIOS.filter((s) => s.name === target)
  if (scenarios.length === 0) throw new Error(`unknown scenario "${target}"\n\n${USAGE}`)
  const known = new Set(scenarios.flatMap((s) => Object.keys(s.options)))
  const unknown = Object.keys(options).filter((name) => !known.has(name))
  if (unknown.length > 0) {
    throw new Error(`unknown option(s) ${unknown.map((o) => `--${o}`).join(', ')} for ${target}\n\n${USAGE}`)
  }
  return scenarios
}

async function runScenario(
  scenario: Scenario,
  stack: BenchStack,
  stackRoots: number[],
  progress: Progress,
  runId: string,
  cli: Record<string, string>,
): Promise<void> {
  const given = new Set(Object.keys(cli).filter((k) => k in scenario.options))
  const options = {
    ...scenario.options,
    ...Object.fromEntries(Object.entries(cli).filter(([k]) => given.has(k))),
  }
  progress.scenario(
    `${scenario.name} ${
      Object.entries(options).filter(([, v]) => v !== '').map(([k, v]) => `--${k} ${v}`).join(' ')
    }`,
  )
  const contention = watchContention(
    () => [...stackRoots, ...[stack.apiPid()].filter((pid) => pid !== undefined)],
  )
  const startedAt = new Date().toISOString()
  const output = await scenario.run({ stack, progress, options, given })
  const postgresVersion = await stack.postgresVersion()
  const record = recordOf({
    scenario: scenario.name,
    runId,
    startedAt,
    contention: contention(),
    postgresVersion,
    output,
  })
  const file = appendRecord(record)
  for (const figure of Object.values(output.figures)) {
    progress.note(`  ${figure.label}: ${figure.value} ${figure.unit}`)
  }
  const other = `other work on the machine: ${record.contention.otherWorkCores} cores on average`
  progress.note(
    `  ${output.bottleneck}\n  ${other}${record.contention.contended ? ' — CONTENDED run' : ''}\n  → ${
      relative(repoRoot, file)
    }`,
  )
}

async function externalStackRoots(stack: BenchStack): Promise<number[]> {
  const sql = postgres(stack.dbUrl, { max: 1, onnotice: () => {} })
  try {
    return [await postmasterPid(sql)]
  } catch {
    return [] // Postgres on another machine
  } finally {
    await sql.end()
  }
}

async function main(): Promise<number> {
  const { target, options, report } = parseCommandLine(process.argv.slice(2))
  const scenarios = selected(target, options)
  const progress = new Progress()
  let failed = 0
  if (scenarios.length > 0) {
    const stack = await openBenchStack()
    progress.note(
      `stack: ${stack.apiUrl} (${stack.owned ? 'started by the harness' : 'from the environment'})`,
    )
    const stopOnSignal = () => void stack.stop().finally(() => process.exit(130))
    process.once('SIGINT', stopOnSignal)
    process.once('SIGTERM', stopOnSignal)
    const runId = randomUUID()
    // A stack the harness did not start is not among its descendants: count its processes as its own load.
    const stackRoots = stack.owned ? [] : await externalStackRoots(stack)
    try {
      for (const scenario of scenarios) {
        // An unattended run must end: a scenario far past its expected time is stuck; stop everything, keep the rest.
        const limitMinutes = scenario.minutes * 2 + 5 + (Number(options.duration) || 0) / 40
        const watchdog = setTimeout(() => {
          progress.note(
            `${scenario.name} still running after ${Math.round(limitMinutes)} min: stopping the run`,
          )
          void stack.stop().finally(() => {
            if (report) writeReport()
            process.exit(1)
          })
        }, limitMinutes * 60_000)
        try {
          await runScenario(scenario, stack, stackRoots, progress, runId, options)
        } catch (error) {
          failed++
          progress.note(`${scenario.name} failed: ${(error as Error).stack ?? error}`)
        } finally {
          clearTimeout(watchdog)
        }
      }
    } finally {
      await stack.stop()
    }
  }
  if (report) progress.note(`report: ${relative(repoRoot, writeReport())}`)
  return failed > 0 ? 1 : 0
}

process.exit(await main())
