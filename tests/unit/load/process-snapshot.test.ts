import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { afterEach, describe, expect, it } from 'vitest'
import { processSnapshot } from '../../../stack/testing/index.ts'

const children: ReturnType<typeof spawn>[] = []
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null) {
      child.kill('SIGKILL')
      await once(child, 'exit')
    }
  }
})

describe.runIf(process.platform === 'linux')('processSnapshot: one look at the process tree (/proc)', () => {
  it("holds a running child under its parent, with the child's own stat", async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    children.push(child)
    await once(child, 'spawn')

    const { stats, children: tree } = processSnapshot()

    expect(tree.get(process.pid)).toContain(child.pid)
    expect(stats.get(child.pid!)).toMatchObject({ parent: process.pid })
    expect(stats.get(process.pid)?.cpuSeconds).toBeGreaterThan(0)
  })

  it('leaves out a process that has exited', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    await once(child, 'exit')

    const { stats, children: tree } = processSnapshot()

    expect(stats.has(child.pid!)).toBe(false)
    expect(tree.get(process.pid) ?? []).not.toContain(child.pid)
  })
})
