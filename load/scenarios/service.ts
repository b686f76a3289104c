import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { SERVICE } from '../k6/scenarios.js';
import { repoRoot } from '../gateway-harness.ts';
import { endpointsAsEnv } from '../bench/stack.ts';
import type { Scenario } from '../bench/scenario.ts';
import { serviceRun } from '../report/legacy.ts';

/**
 * The realistic service (TARGETS.service) as load/service-bench.ts measures it: throw-away restaurants, sockets joined
 * to their private topics with staff tokens, the write RPCs at an open-loop rate, envelope `ts` (clock_timestamp()
 * in the writing transaction) → decoded callback, loss per socket by seq. The script is run through its command
 * line (it is maintained with the database work); its JSON result becomes this run's record.
 */
export const service: Scenario = {
  name: 'service',
  summary: 'realistic service: restaurants × private per-role topics, staff sockets, write RPCs at an open-loop rate',
  options: {
    restaurants: String(SERVICE.restaurants),
    sockets: String(SERVICE.sockets),
    rate: String(SERVICE.mutationsPerSecond),
    duration: String(SERVICE.seconds),
  },
  minutes: 4,
  async run({ stack, progress, options }) {
    const scratch = mkdtempSync(join(tmpdir(), 'plater-service-bench-'));
    const gatewayPid = stack.apiPid();
    try {
      const child = spawn(
        process.execPath,
        [
          '--import', 'tsx', 'load/service-bench.ts', '--restaurants', options.restaurants!, '--sockets', options.sockets!,
          '--rate', options.rate!, '--seconds', options.duration!,
          // The stack's own gateway when its process is known (one decoder of the WAL, as hosted), else a second one.
          ...(gatewayPid === undefined ? ['--gateway', 'own'] : ['--gateway-pid', String(gatewayPid)]),
        ],
        { cwd: repoRoot, env: { ...process.env, ...endpointsAsEnv(stack), PLATER_BENCH_RESULTS_DIR: scratch }, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let written: string | undefined;
      createInterface({ input: child.stdout! }).on('line', (line) => {
        const match = /^written to (.+)$/.exec(line);
        if (match) written = match[1];
        else if (!line.startsWith(' ') && !/^[{}]/.test(line)) progress.update(line);
      });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      if (code !== 0 || !written) throw new Error(`load/service-bench.ts exited with ${code} without a result`);
      const json = JSON.parse(readFileSync(written, 'utf8')) as Record<string, any>;
      const run = serviceRun(json);
      return { parameters: run.parameters, figures: run.figures, bottleneck: run.bottleneck, cpuPercentOfOneCore: run.cpuPercentOfOneCore, data: json };
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  },
};
