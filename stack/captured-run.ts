import { spawn, type SpawnOptions } from 'node:child_process'

export interface CapturedRun {
  code: number | null
  output: string
}

/** Runs a program to its end and captures everything it prints (stdout and stderr, in order). */
export function runCaptured(
  command: string,
  args: string[],
  options: Omit<SpawnOptions, 'stdio'> = {},
): Promise<CapturedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('error', reject)
    child.once('close', (code) => resolve({ code, output }))
  })
}

/** Like runCaptured, but a non-zero exit rejects, saying what failed and what it printed. */
export async function runCapturedOrThrow(
  what: string,
  command: string,
  args: string[],
  options?: Omit<SpawnOptions, 'stdio'>,
): Promise<string> {
  const { code, output } = await runCaptured(command, args, options)
  if (code !== 0) throw new Error(`${what} failed (exit ${code}):\n${output.trim()}`)
  return output
}
