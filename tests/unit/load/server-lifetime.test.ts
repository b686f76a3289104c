import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { expect, it } from 'vitest'
import { repoRoot, TSX_NODE_ARGS } from '../../../load/bench/paths.ts'

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

it('a harness server ends with the harness, even one killed with SIGKILL', { timeout: 60_000 }, async () => {
  const harness = spawn(process.execPath, [...TSX_NODE_ARGS, 'tests/fixtures/killed-harness.ts'], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: harness.stdout! }).once('line', resolve)
  )
  const { pid } = JSON.parse(line) as { pid: number }
  expect(alive(pid)).toBe(true)

  const harnessGone = new Promise((resolve) => harness.once('exit', resolve))
  harness.kill('SIGKILL') // no exit handler runs: only the server's own watch can end it
  await harnessGone
  for (let waited = 0; alive(pid) && waited < 30_000; waited += 50) {
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  const left = alive(pid)
  if (left) process.kill(pid, 'SIGKILL') // never leave it to the next test
  expect(left).toBe(false)
})
