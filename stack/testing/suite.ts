import { spawn } from 'node:child_process'

/** One suite's outcome, in assertions/tests (not files), so the final summary adds up across tools. */
export interface SuiteResult {
  name: string
  passed: number
  failed: number
  /** Why the suite did not run (no test files), if it did not. */
  skipped?: string
}

export interface SuiteContext {
  repoRoot: string
  /** Environment for the suite's processes: the private stack's PLATER_* values. */
  env: NodeJS.ProcessEnv
  dbUrl: string
  /** Aborted on Ctrl-C / SIGTERM: the running tool is stopped and the remaining suites are skipped. */
  signal: AbortSignal
}

export interface ProcessOutcome {
  code: number | null
  /** Everything the tool printed on stdout (and on stderr, if asked), also echoed to ours as it came. */
  stdout: string
}

/**
 * Runs a test tool with its output streamed to the terminal, keeping stdout to read its summary — and stderr
 * with it for tools that print their summary there (deno lint, deno fmt).
 */
export function runTool(
  command: string,
  args: string[],
  context: SuiteContext,
  cwd = context.repoRoot,
  keepStderr = false,
): Promise<ProcessOutcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: context.env,
      stdio: ['ignore', 'pipe', keepStderr ? 'pipe' : 'inherit'],
      signal: context.signal,
      killSignal: 'SIGTERM',
    })
    let stdout = ''
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      process.stdout.write(chunk)
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      process.stderr.write(chunk)
    })
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (error.name === 'AbortError') return // 'close' still follows and reports the outcome
      reject(error)
    })
    child.once('close', (code) => resolve({ code, stdout }))
  })
}

// Tools colour their output when they think they write to a terminal; summaries are parsed without colour.
export function stripAnsi(text: string): string {
  // deno-lint-ignore no-control-regex -- ESC (\u001b) starts the colour codes this removes
  return text.replace(/\u001b\[[0-9;]*m/g, '')
}

export function banner(title: string): void {
  console.log(`\n━━ ${title} ${'━'.repeat(Math.max(0, 70 - title.length))}`)
}
