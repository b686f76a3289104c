// The stack supervises its API process (gateway, functions host, auth, console) as it supervises Postgres: killed,
// it is started again and /health says so. And /health stays bounded while Postgres is frozen (SIGSTOP of the
// postmaster and its children): it answers, saying the database is down, instead of waiting out the freeze.
// A stack of its own: freezing or killing the shared stack's parts would break the other suites.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@supabase/supabase-js'
import postgres from 'postgres'
import WebSocket from 'ws'
import { afterAll, describe, expect, it } from 'vitest'
import { resolveConfig } from '../../stack/config.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { isProcessAlive, processSnapshot } from '../../stack/process-util.ts'
import { startStack } from '../../stack/stack.ts'

const cleanup: (() => Promise<unknown> | unknown)[] = []
afterAll(async () => {
  // every step in turn, whatever the one before did: a stack left running would outlive the suite
  const errors: unknown[] = []
  for (const step of cleanup.reverse()) {
    await Promise.resolve().then(step).catch((error: unknown) => errors.push(error))
  }
  if (errors.length > 0) throw errors[0]
})

interface Health {
  db: string
  api: { restarts: number; lastRestart?: { at: string; reason: string } }
}

/** Signals every process of `pids` that still exists (a backend may end between being listed and signalled). */
function signalAll(pids: number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error
    }
  }
}

describe('the API process of a running stack', () => {
  it('is restarted when killed, /health counts it; /health answers "db down" while Postgres is frozen', {
    timeout: 180_000,
  }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plater-supervision-'))
    chmodSync(dataDir, 0o755) // the cluster runs as the postgres OS user when we are root
    cleanup.push(() => rmSync(dataDir, { recursive: true, force: true }))
    const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
    const config = await resolveConfig({
      PLATER_DATA_DIR: dataDir,
      PLATER_API_PORT: String(apiPort),
      PLATER_DB_PORT: String(dbPort),
    })
    let restarted: (pid: number) => void = () => {}
    const restart = new Promise<number>((resolve) => (restarted = resolve))
    const stack = await startStack(config, createLogger('supervision-test', 'error'), {
      onApiRestart: (pid) => restarted(pid),
    })
    cleanup.push(() => stack.stop())
    const health = async () => (await (await fetch(`${config.apiUrl}/health`)).json()) as Health
    expect(await health()).toEqual({ status: 'ok', db: 'up', api: { restarts: 0 } })

    const killed = stack.api.pid
    process.kill(killed, 'SIGKILL')
    const pid = await restart
    expect(isProcessAlive(killed)).toBe(false)
    expect(pid).not.toBe(killed)
    expect(stack.api).toMatchObject({ pid, restarts: 1 })
    expect(await health()).toMatchObject({
      db: 'up',
      api: { restarts: 1, lastRestart: { reason: 'signal SIGKILL', at: expect.any(String) } },
    })
    // the new process serves every route: a function answers (it wants a signed-in user), and so does auth
    const session = await fetch(`${config.apiUrl}/functions/v1/session`, {
      headers: { authorization: `Bearer ${config.anonKey}` },
    })
    expect(session.status).toBe(401)
    expect(await session.json()).toMatchObject({ code: 'user_token_required' })
    expect((await fetch(`${config.apiUrl}/auth/v1/health`)).status).toBe(200)
    // and the new gateway's replication carries what the database publishes
    const supabase = createClient(config.apiUrl, config.anonKey, {
      realtime: { transport: WebSocket as never },
      auth: { persistSession: false, autoRefreshToken: false },
    })
    cleanup.push(() => supabase.removeAllChannels())
    const received: string[] = []
    await new Promise<void>((resolve, reject) => {
      supabase
        .channel('supervision-test')
        .on(
          'broadcast',
          { event: 'note' },
          (message) => received.push((message.payload as { text: string }).text),
        )
        .subscribe((
          status,
        ) => (status === 'SUBSCRIBED' ? resolve() : status === 'CHANNEL_ERROR' && reject(new Error(status))))
    })
    const sql = postgres(config.dbUrl, { max: 1, onnotice: () => {} })
    cleanup.push(() => sql.end({ timeout: 1 }))
    await sql`select realtime.send(${
      sql.json({ text: 'after the restart' })
    }, 'note', 'supervision-test', false)`
    await expect.poll(() => received, { timeout: 30_000 }).toContain('after the restart')
    await sql.end()

    const postmaster = stack.postgres!.pid
    const frozen = [postmaster, ...(processSnapshot().children.get(postmaster) ?? [])]
    const thaw = () => signalAll(frozen, 'SIGCONT')
    cleanup.push(thaw)
    signalAll(frozen, 'SIGSTOP')
    try {
      // answered while the freeze lasts (it lasts until thaw), so the wait is bounded by /health itself
      expect(await health()).toMatchObject({ db: 'down' })
    } finally {
      thaw()
    }
    await expect.poll(async () => (await health()).db, { timeout: 30_000 }).toBe('up')
  })
})
