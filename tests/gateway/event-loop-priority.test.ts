// PLATER_REALTIME_NICE: the gateway gives its event-loop thread the priority asked for, leaves the process's other
// threads alone, and runs on with a warning when the system refuses. Each case runs the real function in a child
// process of its own (a priority, once lowered, cannot be raised back without privilege).
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { optionsFromEnv } from '../../stack/gateway/options.ts'

const repo = join(import.meta.dirname, '../..')

/**
 * Applies `nice` in a fresh Node process (`unprivileged`: one that may not raise a priority); what it logged and the
 * priorities it ended with.
 */
function applyInChild(
  nice: string,
  unprivileged = false,
): { log: string; loopThread: number; worker: number } {
  const script = `
    import { getPriority } from 'node:os'
    import { Worker } from 'node:worker_threads'
    import { applyEventLoopPriority } from './stack/gateway/event-loop-priority.ts'
    import { createLogger } from './stack/log.ts'
    import { optionsFromEnv } from './stack/gateway/options.ts'
    const lines = []
    const log = createLogger('realtime', 'info', (line) => lines.push(JSON.stringify(line)))
    // a thread already running when the gateway starts, as V8's helper threads are
    const worker = new Worker(
      "Promise.all([import('node:os'), import('node:worker_threads')]).then(([os, t]) => t.parentPort.once('message', () => t.parentPort.postMessage(os.getPriority(0))))",
      { eval: true },
    )
    await new Promise((resolve) => worker.once('online', resolve))
    applyEventLoopPriority(optionsFromEnv(process.env).eventLoopNice, log)
    worker.postMessage('your priority?')
    const other = await new Promise((resolve) => worker.once('message', resolve))
    await worker.terminate()
    console.log(JSON.stringify({ log: lines.join('\\n'), loopThread: getPriority(0), worker: other }))`
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]
  // root may raise priorities through CAP_SYS_NICE: util-linux's setpriv runs the child as root without it (another
  // user could not read a Node kept under root's home)
  const command = unprivileged && process.getuid?.() === 0
    ? ['setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice', '--', ...node]
    : node
  const child = spawnSync(command[0]!, command.slice(1), {
    cwd: repo,
    env: { ...process.env, PLATER_REALTIME_NICE: nice },
    encoding: 'utf8',
  })
  expect(child.status, child.stderr).toBe(0)
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!)
}

describe('PLATER_REALTIME_NICE', () => {
  it('is a nice value or unset, and anything else stops the start with the variable named', () => {
    expect(optionsFromEnv({}).eventLoopNice).toBeNull()
    expect(optionsFromEnv({ PLATER_REALTIME_NICE: '-10' }).eventLoopNice).toBe(-10)
    for (const wrong of ['-21', '20', '1.5', 'high']) {
      expect(() => optionsFromEnv({ PLATER_REALTIME_NICE: wrong })).toThrow(
        /PLATER_REALTIME_NICE must be a nice value/,
      )
    }
  })

  it("sets the event loop thread's priority and no running thread's", { timeout: 30_000 }, () => {
    // a lower priority than the default needs no privilege, so this runs as whoever runs the tests
    const { log, loopThread, worker } = applyInChild('7')
    expect(loopThread).toBe(7)
    expect(worker).toBe(0)
    expect(log).toMatch(/event loop runs at nice 7/)
  })

  it('runs on at its inherited priority, saying why, when the system refuses a higher one', {
    timeout: 30_000,
  }, () => {
    const { log, loopThread } = applyInChild('-5', true)
    expect(loopThread).toBe(0)
    expect(log).toMatch(/PLATER_REALTIME_NICE=-5 refused \(EACCES\).*root or CAP_SYS_NICE/)
  })
})
