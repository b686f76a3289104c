// Connections that break around COMMIT, against the real database: the functions talk to Postgres through a TCP
// proxy that cuts the mutation's connection either before its statements reach the server (nothing applied:
// 503 retry_later with Retry-After) or after the server has committed them but before the answer comes back
// (applied: the key tells, so the answer is the stored one, never a 503). A retry with the same key is safe in
// both cases: the request is applied exactly once.
import assert from 'node:assert/strict'
import { BISTRO, call, DB_URL, HAS_DB, STAFF, userToken } from './helpers.ts'
import { postgres } from '../../functions/_shared/deps.ts'
import { closeDb } from '../../functions/_shared/db.ts'
import { handler as tables } from '../../functions/tables/handler.ts'

type Fault = 'none' | 'before-commit' | 'after-commit'

const COMMIT_QUERY = new TextEncoder().encode('commit;')
const COMMIT_DONE = new TextEncoder().encode('COMMIT\0')

function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer
    return true
  }
  return false
}

/** A TCP proxy in front of Postgres that breaks the next connection sending a COMMIT, as `fault` says. */
class FaultProxy {
  fault: Fault = 'none'
  /** How many connections the proxy broke. */
  cuts = 0
  readonly #listener: Deno.Listener
  readonly #target: { hostname: string; port: number }
  readonly #conns = new Set<Deno.Conn>()

  constructor(target: URL) {
    this.#target = { hostname: target.hostname, port: Number(target.port || 5432) }
    this.#listener = Deno.listen({ hostname: '127.0.0.1', port: 0 })
    void this.#accept()
  }

  get port(): number {
    return (this.#listener.addr as Deno.NetAddr).port
  }

  async #accept(): Promise<void> {
    for await (const client of this.#listener) {
      const server = await Deno.connect(this.#target)
      this.#conns.add(client).add(server)
      const state = { cut: false }
      const close = () => {
        for (const conn of [client, server]) {
          this.#conns.delete(conn)
          try {
            conn.close()
          } catch {
            // already closed
          }
        }
      }
      // client → server: a COMMIT under a fault is dropped (before) or passed and its answer withheld (after)
      void (async () => {
        try {
          for await (const chunk of client.readable) {
            if (this.fault !== 'none' && contains(chunk, COMMIT_QUERY)) {
              const fault = this.fault
              this.fault = 'none'
              this.cuts++
              if (fault === 'before-commit') return close()
              state.cut = true
            }
            await server.write(chunk)
          }
        } catch {
          // closed
        }
        close()
      })()
      // server → client: once the server has answered COMMIT on an armed connection, cut it instead of answering
      void (async () => {
        let seen = new Uint8Array(0)
        try {
          for await (const chunk of server.readable) {
            if (state.cut) {
              seen = new Uint8Array([...seen, ...chunk])
              if (contains(seen, COMMIT_DONE)) return close()
              continue
            }
            await client.write(chunk)
          }
        } catch {
          // closed
        }
        close()
      })()
    }
  }

  close(): void {
    this.#listener.close()
    for (const conn of this.#conns) {
      try {
        conn.close()
      } catch {
        // already closed
      }
    }
  }
}

Deno.test({
  name: 'a connection that breaks around COMMIT: 503 only when nothing was applied, and a retry applies once',
  ignore: !HAS_DB,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn() {
    const owner = postgres(DB_URL!, { prepare: false, max: 1, onnotice: () => {} })
    const proxy = new FaultProxy(new URL(DB_URL!))
    const direct = Deno.env.get('SUPABASE_DB_URL')!
    const viaProxy = new URL(DB_URL!)
    viaProxy.port = String(proxy.port)
    await closeDb()
    Deno.env.set('SUPABASE_DB_URL', viaProxy.toString())
    try {
      const token = await userToken(STAFF.ana)
      const seat = async (table: string, key: string) =>
        await call(tables, 'POST', `/tables/${table}/seat`, {
          token,
          body: { party_size: 2 },
          headers: { 'idempotency-key': key },
        })
      const newTable = async () =>
        (await owner`insert into public.dining_tables (restaurant_id, label, seats)
          values (${BISTRO}, ${'fault-' + crypto.randomUUID().slice(0, 8)}, 4) returning id`)[0]!.id as string
      const version = async (table: string) =>
        (await owner`select version from public.dining_tables where id = ${table}`)[0]!.version

      // cut before the statements reach the server: nothing applied, so 503 and a retry applies it
      const first = await newTable()
      const firstKey = crypto.randomUUID()
      proxy.fault = 'before-commit'
      const refused = await seat(first, firstKey)
      assert.equal(proxy.cuts, 1)
      assert.equal(refused.status, 503)
      assert.equal(refused.body.code, 'retry_later')
      assert.equal(refused.headers.get('retry-after'), '1')
      assert.equal(await version(first), 1, 'nothing applied')
      const retried = await seat(first, firstKey)
      assert.equal(retried.status, 200)
      assert.equal(retried.headers.get('idempotent-replayed'), null)
      assert.equal(await version(first), 2, 'applied once, by the retry')

      // cut after the server committed: the answer is the stored one, not a 503; a retry replays it
      const second = await newTable()
      const secondKey = crypto.randomUUID()
      proxy.fault = 'after-commit'
      const applied = await seat(second, secondKey)
      assert.equal(proxy.cuts, 2)
      assert.equal(applied.status, 200, JSON.stringify(applied.body))
      assert.equal(applied.body.table.id, second)
      assert.equal(await version(second), 2, 'applied')
      const replayed = await seat(second, secondKey)
      assert.equal(replayed.status, 200)
      assert.equal(replayed.headers.get('idempotent-replayed'), 'true')
      assert.deepEqual(replayed.body, applied.body)
      assert.equal(await version(second), 2, 'not applied twice')
    } finally {
      await closeDb()
      Deno.env.set('SUPABASE_DB_URL', direct)
      proxy.close()
      await owner.end()
    }
  },
})
