// PLATER_REALTIME_NICE: the gateway gives its event-loop thread the priority asked for, leaves the process's other
// threads alone, gives its autogroup the same when it leads its own session (and says so when it shares one), and
// runs on with a warning when the system refuses. Each case runs the real function in a child process of its own (a
// priority, once lowered, cannot be raised back without privilege).
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { optionsFromEnv } from '../../stack/gateway/options.ts'
import { autogroupsOn } from '../../stack/process-util.ts'

const repo = join(import.meta.dirname, '../..')

/**
 * Applies `nice` in a fresh Node process (`unprivileged`: one that may not raise a priority); what it logged and the
 * priorities it ended with.
 */
function applyInChild(
  nice: string,
  { unprivileged = false, ownSession = false } = {},
): { log: string; loopThread: number; worker: number; autogroup: string | null } {
  const script = `
    import { existsSync, readFileSync } from 'node:fs'
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
    const autogroup = existsSync('/proc/self/autogroup') ? readFileSync('/proc/self/autogroup', 'utf8') : null
    console.log(JSON.stringify({ log: lines.join('\\n'), loopThread: getPriority(0), worker: other, autogroup }))`
  const node = [process.execPath, '--import', 'tsx', '--input-type=module', '-e', script]
  // root may raise priorities through CAP_SYS_NICE: util-linux's setpriv runs the child as root without it (another
  // user could not read a Node kept under root's home)
  const maybeUnprivileged = unprivileged && process.getuid?.() === 0
    ? ['setpriv', '--inh-caps=-sys_nice', '--bounding-set=-sys_nice', '--', ...node]
    : node
  // util-linux's setsid starts the child as the leader of a new session, as the stack starts its API process
  const command = ownSession ? ['setsid', '--wait', ...maybeUnprivileged] : maybeUnprivileged
  const child = spawnSync(command[0]!, command.slice(1), {
    cwd: repo,
    env: { ...process.env, PLATER_REALTIME_NICE: nice },
    encoding: 'utf8',
  })
  expect(child.status, child.stderr).toBe(0)
  return JSON.parse(child.stdout.trim().split('\n').at(-1)!)
}

/** The nice of an autogroup as /proc/<pid>/autogroup shows it: `/autogroup-<id> nice <n>`. */
const autogroupNice = (line: string | null) => Number(line?.match(/nice (-?\d+)/)?.[1])

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
    const { log, loopThread } = applyInChild('-5', { unprivileged: true })
    expect(loopThread).toBe(0)
    expect(log).toMatch(/PLATER_REALTIME_NICE=-5 refused \(EACCES\).*root or CAP_SYS_NICE/)
  })

  // Where the kernel does not group by session (or has no autogroup), there is no group to set and nothing to warn of.
  describe(`where the kernel ${autogroupsOn() ? 'groups' : 'does not group'} tasks by session (autogroup)`, () => {
    it('gives its autogroup the priority too when it leads its own session', { timeout: 30_000 }, () => {
      const { log, loopThread, autogroup } = applyInChild('7', { ownSession: true })
      expect(loopThread).toBe(7)
      if (autogroupsOn()) {
        expect(autogroupNice(autogroup)).toBe(7)
        expect(log).toMatch(/event loop and its autogroup run at nice 7/)
      } else {
        expect(log).toMatch(/event loop runs at nice 7/)
      }
      expect(log).not.toMatch(/session of its own/)
    })

    it("leaves a session's shared autogroup alone and says the priority counts only inside it", {
      timeout: 30_000,
    }, () => {
      const before = autogroupsOn() ? readFileSync('/proc/self/autogroup', 'utf8') : null
      const { log, loopThread, autogroup } = applyInChild('7')
      expect(loopThread).toBe(7)
      if (autogroupsOn()) {
        expect(autogroupNice(autogroup)).toBe(autogroupNice(before))
        expect(log).toMatch(
          /ranks the event loop only inside the autogroup it shares.*session of its own \(setsid\)/,
        )
      } else {
        expect(log).not.toMatch(/autogroup/)
      }
    })
  })
})
