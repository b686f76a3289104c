// The stack heals: Postgres killed under a running stack is restarted (the test holds the restart to look at the
// stack while the database is down: functions answer 503 retry_later with Retry-After), then functions and the
// realtime gateway carry on, and a mutation retried with its Idempotency-Key is applied exactly once. And
// `plater start` cleans up after a `plater start` of the same data dir that was killed.
// These tests run stacks of their own: killing the shared stack's database would break the other suites.
import { type ChildProcess, spawn } from 'node:child_process'
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { createClient } from '@supabase/supabase-js'
import postgres from 'postgres'
import WebSocket from 'ws'
import { afterAll, describe, expect, it } from 'vitest'
import { repoRoot, resolveConfig } from '../../stack/config.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { readPostmasterPid } from '../../stack/postgres/postmaster-pid.ts'
import {
  autogroupsOn,
  isProcessAlive,
  processArgs,
  processIds,
  processStat,
} from '../../stack/process-util.ts'
import { startStack } from '../../stack/stack.ts'
import { readStackState } from '../../stack/state.ts'
import { SEED, SEED_PASSWORD } from '../helpers/seed.ts'

const cleanup: (() => Promise<unknown> | unknown)[] = []
afterAll(async () => {
  for (const step of cleanup.reverse()) await step()
})

async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(100)
  }
}

function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  chmodSync(dir, 0o755) // the cluster runs as the postgres OS user when we are root
  cleanup.push(() => rmSync(dir, { recursive: true, force: true }))
  return dir
}

describe('Postgres killed under a running stack', () => {
  it(
    'is restarted; meanwhile functions answer 503 + Retry-After; afterwards a retry applies once and realtime resumes',
    { timeout: 180_000 },
    async () => {
      const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
      const config = await resolveConfig({
        PLATER_DATA_DIR: scratchDir('plater-heal-'),
        PLATER_API_PORT: String(apiPort),
        PLATER_DB_PORT: String(dbPort),
      })
      let down: () => void = () => {}
      const isDown = new Promise<void>((resolve) => (down = resolve))
      let release: () => void = () => {}
      const released = new Promise<void>((resolve) => (release = resolve))
      const stack = await startStack(config, createLogger('heal-test', 'error'), {
        beforePostgresRestart: () => {
          down()
          return released
        },
      })
      cleanup.push(() => stack.stop())
      cleanup.push(release)

      const sql = postgres(config.dbUrl, { max: 1, onnotice: () => {}, connect_timeout: 2 })
      cleanup.push(() => sql.end({ timeout: 1 }))
      const [row] = await sql<{ id: string }[]>`insert into public.dining_tables (restaurant_id, label, seats)
      values (${SEED.bistro}, 'heal', 4) returning id`
      const table = row!.id

      const supabase = createClient(config.apiUrl, config.anonKey, {
        realtime: { transport: WebSocket as never },
        auth: { persistSession: false, autoRefreshToken: false },
      })
      cleanup.push(() => supabase.removeAllChannels())
      const { data: session, error } = await supabase.auth.signInWithPassword({
        email: SEED.users.ana.email,
        password: SEED_PASSWORD,
      })
      expect(error).toBeNull()
      const token = session.session!.access_token
      const received: string[] = []
      await new Promise<void>((resolve, reject) => {
        supabase
          .channel('heal-test')
          .on(
            'broadcast',
            { event: 'note' },
            (message) => received.push((message.payload as { text: string }).text),
          )
          .subscribe((
            status,
          ) => (status === 'SUBSCRIBED'
            ? resolve()
            : status === 'CHANNEL_ERROR' && reject(new Error(status)))
          )
      })
      const broadcast = (text: string) =>
        sql`select realtime.send(${sql.json({ text })}, 'note', 'heal-test', false)`
      await broadcast('before')
      await waitFor('the broadcast before the crash', () => received.includes('before'))

      const key = crypto.randomUUID()
      const seat = () =>
        fetch(`${config.apiUrl}/functions/v1/tables/${table}/seat`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            apikey: config.anonKey,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify({ party_size: 2 }),
        })
      const snapshot = () =>
        fetch(`${config.apiUrl}/functions/v1/snapshot?topic=floor:${SEED.bistro}`, {
          headers: { authorization: `Bearer ${token}`, apikey: config.anonKey },
        })
      expect((await snapshot()).status).toBe(200)

      const killed = stack.postgres!.pid
      process.kill(killed, 'SIGKILL')
      await isDown
      expect(isProcessAlive(killed)).toBe(false)

      for (const answer of [await seat(), await snapshot()]) {
        expect(answer.status).toBe(503)
        expect(answer.headers.get('retry-after')).toBe('1')
        expect((await answer.json()).code).toBe('retry_later')
      }

      release()
      // the supervisor counts the restart once the new server says it is ready (clients may connect a moment before)
      await waitFor('Postgres to be restarted', () => stack.postgres!.restarts === 1 || undefined)
      expect(stack.postgres!.pid).not.toBe(killed)
      await waitFor('the stack to see Postgres again', async () => {
        const health = (await (await fetch(`${config.apiUrl}/health`)).json()) as { db: string }
        return health.db === 'up' || undefined
      })

      // a client retries a 503 with the same key: once the pool has reconnected it is applied, exactly once
      const applied = await waitFor('the retried mutation', async () => {
        const answer = await seat()
        if (answer.status === 503) return undefined
        return { status: answer.status, replayed: answer.headers.get('idempotent-replayed') }
      })
      expect(applied).toEqual({ status: 200, replayed: null })
      const again = await seat()
      expect(again.status).toBe(200)
      expect(again.headers.get('idempotent-replayed')).toBe('true')
      const [after] = await sql<
        { version: number }[]
      >`select version from public.dining_tables where id = ${table}`
      expect(after!.version).toBe(2)

      // the gateway's replication resumed: what is published after the restart reaches the subscriber
      await waitFor('a broadcast after the restart', async () => {
        await broadcast('after')
        await sleep(500)
        return received.includes('after') || undefined
      })
    },
  )
})

/** Pids of the function workers of the functions host running as `hostPid` (the API process; Linux /proc). */
function workersOf(hostPid: number): number[] {
  return processIds().filter((pid) => processArgs(pid)?.some((arg) => arg.includes(`plater-fn-${hostPid}-`)))
}

describe('`plater start` after a `plater start` of the same data dir was killed', () => {
  it(
    'stops the Postgres, API process and workers it left, removes its files, and starts',
    { timeout: 180_000 },
    async () => {
      const dataDir = scratchDir('plater-leftover-')
      const [apiPort, dbPort] = await findFreePorts('127.0.0.1', 2)
      const env = {
        ...process.env,
        PLATER_DATA_DIR: dataDir,
        PLATER_API_PORT: String(apiPort),
        PLATER_DB_PORT: String(dbPort),
        PLATER_LOG_LEVEL: 'warn',
        // a lower priority needs no privilege; the API process applies it to the gateway's loop and autogroup
        PLATER_REALTIME_NICE: '3',
      }
      const start = async (): Promise<{ child: ChildProcess; output: () => string }> => {
        const child = spawn(process.execPath, [join(repoRoot, 'stack', 'bin', 'plater.mjs'), 'start'], {
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        cleanup.push(() => child.exitCode === null && child.kill('SIGKILL'))
        let output = ''
        child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()))
        child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()))
        await waitFor('the stack to start', () => {
          if (child.exitCode !== null) throw new Error(`plater start exited (${child.exitCode}):\n${output}`)
          return output.includes('Plater stack started') || undefined
        }, 120_000)
        return { child, output: () => output }
      }

      const first = await start()
      const firstPid = first.child.pid!
      const firstApiPid = readStackState(dataDir)!.apiPid!
      const postmaster = readPostmasterPid(join(dataDir, 'pg'))!.pid
      expect(workersOf(firstApiPid).length).toBeGreaterThan(0)
      // The API process leads a session of its own: a Ctrl-C in the terminal reaches only `plater start`, and where
      // the kernel groups tasks by session, the gateway's priority ranks a group of its own against Postgres's.
      expect(processStat(firstApiPid)?.session).toBe(firstApiPid)
      if (autogroupsOn()) {
        expect(readFileSync(`/proc/${firstApiPid}/autogroup`, 'utf8')).toMatch(/ nice 3$/m)
      }
      // frozen, the API process cannot exit by itself once its parent is gone (as a stuck one would not):
      // only the next start's clean-up can stop it, so this test does not depend on which is quicker
      process.kill(firstApiPid, 'SIGSTOP')
      cleanup.push(() => isProcessAlive(firstApiPid) && process.kill(firstApiPid, 'SIGKILL'))
      first.child.kill('SIGKILL')
      await waitFor(
        'the killed stack to exit',
        () => first.child.exitCode !== null || first.child.signalCode !== null || undefined,
      )
      expect(isProcessAlive(postmaster)).toBe(true) // detached: it outlives the stack that started it
      expect(existsSync(join(dataDir, 'stack.json'))).toBe(true)

      const second = await start()
      expect(second.output()).toMatch(
        new RegExp(
          `earlier stack of .* \\(pid ${firstPid}\\) was killed; cleaned up its API process \\(pid ${firstApiPid}\\), .*stack\\.json.*its Postgres`,
        ),
      )
      expect(isProcessAlive(postmaster)).toBe(false)
      expect(isProcessAlive(firstApiPid)).toBe(false)
      expect(workersOf(firstApiPid)).toEqual([])
      expect(readdirSync(tmpdir()).filter((name) => name.startsWith(`plater-fn-${firstApiPid}-`))).toEqual([])
      const health = (await (await fetch(`http://127.0.0.1:${apiPort}/health`)).json()) as { db: string }
      expect(health.db).toBe('up')

      second.child.kill('SIGTERM')
      await waitFor('the second stack to stop', () => second.child.exitCode !== null || undefined, 60_000)
      expect(second.child.exitCode).toBe(0)
    },
  )
})
