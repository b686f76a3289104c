import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { expect, it } from 'vitest'
import { repoRoot, TSX_NODE_ARGS } from '../../../load/bench/paths.ts'
import { isProcessAlive, waitForProcessExit } from '../../../stack/process-util.ts'

it('a harness server ends with the harness, even one killed with SIGKILL', { timeout: 60_000 }, async () => {
  const harness = spawn(process.execPath, [...TSX_NODE_ARGS, 'tests/fixtures/killed-harness.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: harness.stdout! }).once('line', resolve)
  )
  const { pid } = JSON.parse(line) as { pid: number }
  expect(isProcessAlive(pid)).toBe(true)

  const harnessGone = new Promise((resolve) => harness.once('exit', resolve))
  harness.kill('SIGKILL') // no exit handler runs: only the server's own watch can end it
  await harnessGone
  const ended = await waitForProcessExit(pid, 30_000)
  if (!ended) process.kill(pid, 'SIGKILL') // never leave it to the next test
  expect(ended).toBe(true)
})
