import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { SERVICE } from '../k6/scenarios.js'
import { repoRoot, TSX_NODE_ARGS } from '../bench/paths.ts'
import { endpointsAsEnv } from '../bench/stack.ts'
import type { Scenario } from '../bench/scenario.ts'
import type { RunRecord } from '../bench/record.ts'

/**
 * The realistic service (targets: p50 ≤ 5 / p95 ≤ 20 / p99 ≤ 50 ms, 0 lost) as ./service/command.ts measures it: throw-away restaurants, sockets joined
 * to their private topics with staff tokens, the write RPCs at an open-loop rate, envelope `ts` (clock_timestamp()
 * in the writing transaction) → decoded callback, loss per socket by seq. The script is run through its command
 * line (it is maintained with the database work); the record it writes becomes this run's.
 */
export const service: Scenario = {
  name: 'service',
  summary:
    'realistic service: restaurants × private per-role topics, staff sockets, write RPCs at an open-loop rate',
  options: {
    restaurants: String(SERVICE.restaurants),
    sockets: String(SERVICE.sockets),
    rate: String(SERVICE.mutationsPerSecond),
    duration: String(SERVICE.seconds),
  },
  minutes: 4,
  async run({ stack, progress, options }) {
    const scratch = mkdtempSync(join(tmpdir(), 'plater-service-bench-'))
    const gatewayPid = stack.apiPid()
    try {
      const child = spawn(
        process.execPath,
        [
          ...TSX_NODE_ARGS,
          'load/scenarios/service/command.ts',
          '--restaurants',
          options.restaurants!,
          '--sockets',
          options.sockets!,
          '--rate',
          options.rate!,
          '--seconds',
          options.duration!,
          // The stack's own gateway when its process is known (one decoder of the WAL, as hosted), else a second one.
          ...(gatewayPid === undefined ? ['--gateway', 'own'] : ['--gateway-pid', String(gatewayPid)]),
        ],
        {
          cwd: repoRoot,
          env: { ...process.env, ...endpointsAsEnv(stack), PLATER_BENCH_RESULTS_DIR: scratch },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      let written: string | undefined
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^written to (.+)$/.exec(line)
        if (match) written = match[1]
        else if (!line.startsWith(' ') && !/^[{}]/.test(line)) progress.update(line)
      })
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
      if (code !== 0 || !written) {
        throw new Error(`load/scenarios/service/command.ts exited with ${code} without a result`)
      }
      const { parameters, figures, bottleneck, cpuPercentOfOneCore, data } = JSON.parse(
        readFileSync(written, 'utf8'),
      ) as RunRecord
      return { parameters, figures, bottleneck, cpuPercentOfOneCore, data }
    } finally {
      rmSync(scratch, { recursive: true, force: true })
    }
  },
}
