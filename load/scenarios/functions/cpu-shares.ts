import type { cpuPerRequest } from '../../bench/stack-cpu.ts'

type CpuPerRequest = ReturnType<typeof cpuPerRequest>

/** CPU per request (ms) at a request rate, as % of one core per process. */
export function cpuShares(cpu: CpuPerRequest | undefined, perSecond: number): Record<string, number> {
  if (!cpu) return {}
  const percent = (ms: number) => Math.round((ms * perSecond) / 10)
  return {
    'API server': percent(cpu.api_server),
    'function workers': percent(Object.values(cpu.workers).reduce((a, b) => a + b, 0)),
    postgres: percent(cpu.postgres),
    'load generator': percent(cpu.generator),
  }
}

export function describeCpuPerRequest(cpu: CpuPerRequest | undefined): string {
  if (!cpu) return "CPU per process unknown (the stack's data dir is not readable here)"
  const workers = Object.values(cpu.workers).reduce((a, b) => a + b, 0)
  return `CPU per request: ${cpu.total_ms} ms in all — API server ${cpu.api_server}, function workers ${
    Math.round(workers * 1000) / 1000
  }, Postgres ${cpu.postgres}, load generator ${cpu.generator} ms`
}
