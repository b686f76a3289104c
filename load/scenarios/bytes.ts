import { setTimeout as sleep } from 'node:timers/promises'
import postgres, { type Sql } from 'postgres'
import WebSocket from 'ws'
import { DEMO, TABLE_CYCLE, TARGETS } from '../k6/scenarios.js'
import { DemoBistro } from '../bench/demo-service.ts'
import { numberOption, type Scenario } from '../bench/scenario.ts'
import type { BenchStack } from '../bench/stack.ts'
import { REALTIME_SOCKET_PATH } from '../k6/routes.js'

/**
 * Bytes per role per write (target: ≥ 90 % less for a cook and a server than a naive full-row feed of every
 * change to everyone).
 *
 * One socket per role of the demo bistro joins the private topics that role's screen holds (cook: its station's
 * kds; server: its own server topic and the floor; expo: expo; manager: admin) with that staff member's token, on
 * the stack's own gateway, and counts the bytes of every broadcast frame it receives (the whole vsn 2.0.0 frame:
 * topic, event, meta and payload). Meanwhile `--tables` table cycles run through /functions/v1 (the steps of the
 * shared TABLE_CYCLE, as the staff who do them): tables alternate between the bistro's two servers, orders take
 * dishes from each of its four stations in turn. The naive feed is scoped to this one restaurant — a multi-tenant
 * "every change to everyone" feed would also carry every other restaurant's changes, so the real saving is larger. The naive feed is measured on the same writes: temporary AFTER
 * triggers on orders, order_items and dining_tables NOTIFY `to_jsonb(NEW)` of every changed row, and a listener
 * counts those payloads — what a "send every change to everyone" relay would put on each socket, without even a
 * frame around it (so the comparison errs in the naive feed's favour). The triggers are dropped at the end.
 */

const NAIVE_CHANNEL = 'plater_bench_naive_feed'
const FEED_TABLES = ['orders', 'order_items', 'dining_tables']

async function installNaiveFeed(sql: Sql): Promise<void> {
  await removeNaiveFeed(sql)
  await sql`create schema plater_bench`
  await sql.unsafe(`
    create function plater_bench.naive_feed() returns trigger language plpgsql as $$
    begin
      perform pg_notify('${NAIVE_CHANNEL}', jsonb_build_object('table', tg_table_name, 'op', tg_op, 'row', to_jsonb(new))::text);
      return null;
    end $$`)
  for (const table of FEED_TABLES) {
    await sql.unsafe(`create trigger plater_bench_naive_feed after insert or update on public.${table}
                        for each row execute function plater_bench.naive_feed()`)
  }
}

async function removeNaiveFeed(sql: Sql): Promise<void> {
  for (const table of FEED_TABLES) {
    await sql.unsafe(`drop trigger if exists plater_bench_naive_feed on public.${table}`)
  }
  await sql`drop schema if exists plater_bench cascade`
}

interface RoleSocket {
  readonly role: string
  readonly topics: string[]
  bytes: number
  frames: number
  /** Bytes by "<topic kind> <event>", e.g. "floor table". */
  byKind: Record<string, number>
  close(): void
}

/** A socket joined to `topics` as the given staff member, counting broadcast bytes. */
async function roleSocket(
  stack: BenchStack,
  role: string,
  token: string,
  topics: string[],
): Promise<RoleSocket> {
  const ws = new WebSocket(
    `${stack.apiUrl.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${stack.anonKey}&vsn=2.0.0`,
  )
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject))
  const socket: RoleSocket = { role, topics, bytes: 0, frames: 0, byKind: {}, close: () => ws.terminate() }
  const replies = new Map<string, (status: string) => void>()
  ws.on('message', (data: Buffer, isBinary) => {
    if (isBinary && data[0] === 4) {
      socket.bytes += data.length
      socket.frames++
      // Kind 4: [4, topic_size, event_size, meta_size, encoding, "realtime:<kind>:…", event, …]
      const topic = data.toString('utf8', 5, 5 + data[1]!)
      const kind = `${topic.split(':')[1]} ${data.toString('utf8', 5 + data[1]!, 5 + data[1]! + data[2]!)}`
      socket.byKind[kind] = (socket.byKind[kind] ?? 0) + data.length
    } else if (!isBinary) {
      const [, ref, , event, payload] = JSON.parse(data.toString()) as [
        string,
        string,
        string,
        string,
        { status?: string },
      ]
      if (event === 'phx_reply') replies.get(ref)?.(payload.status ?? '')
    }
  })
  for (const [k, topic] of topics.entries()) {
    const ref = String(k + 1)
    const status = new Promise<string>((resolve) => replies.set(ref, resolve))
    ws.send(
      JSON.stringify([ref, ref, `realtime:${topic}`, 'phx_join', {
        config: { private: true },
        access_token: token,
      }]),
    )
    if ((await status) !== 'ok') throw new Error(`${role} could not join ${topic}`)
  }
  return socket
}

export const bytes: Scenario = {
  name: 'bytes',
  summary:
    'bytes per role per write on the role-scoped topics vs a naive full-row feed of every change to everyone',
  options: { tables: '12' },
  minutes: 0.5,
  async run({ stack, progress, options }) {
    const sql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} })
    const bistro = await DemoBistro.open(stack)
    const sockets: RoleSocket[] = []
    try {
      for (const screen of bistro.screens()) {
        sockets.push(await roleSocket(stack, screen.role, screen.token, screen.topics))
      }
      await installNaiveFeed(sql)
      let naiveBytes = 0
      let naiveMessages = 0
      const listener = await sql.listen(NAIVE_CHANNEL, (payload) => {
        naiveBytes += Buffer.byteLength(payload)
        naiveMessages++
      })

      const tableCount = numberOption(options, 'tables')
      const cycles = await bistro.freeTableCycles(sql, tableCount)
      let writes = 0
      let failed = 0
      await Promise.all(
        cycles.map(async (cycle) => {
          for (let step = 0; step < TABLE_CYCLE.length; step++) {
            try {
              await cycle.advance()
              writes++
              progress.update(`${writes} writes`)
            } catch (error) {
              failed++
              progress.note(`bytes: a table cycle stopped: ${(error as Error).message}`)
              return
            }
          }
        }),
      )
      // Until nothing more arrives for a second (deliveries take milliseconds; this is generous).
      const total = () => sockets.reduce((sum, x) => sum + x.bytes, 0) + naiveBytes
      for (let last = -1; last !== total();) {
        last = total()
        await sleep(1000)
      }
      await listener.unlisten()

      const naivePerWrite = naiveBytes / Math.max(1, writes)
      const perRole = Object.fromEntries(
        sockets.map((
          s,
        ) => [s.role, {
          topics: s.topics,
          frames: s.frames,
          bytes: s.bytes,
          byKind: s.byKind,
          bytesPerWrite: Math.round(s.bytes / Math.max(1, writes)),
          reduction: 1 - s.bytes / Math.max(1, naiveBytes),
        }]),
      )
      const reductionFigure = (role: string, target?: { min: number }) => ({
        label: `${role}: bytes saved vs the naive feed (${perRole[role]!.bytesPerWrite} vs ${
          Math.round(naivePerWrite)
        } B per write)`,
        value: Math.round(perRole[role]!.reduction * 1000) / 1000,
        unit: 'ratio',
        target,
      })
      return {
        parameters: { tables: tableCount, restaurant: DEMO.restaurant },
        figures: {
          reductionCook: reductionFigure('cook', TARGETS.bytes.reductionCook),
          reductionServer: reductionFigure('server', TARGETS.bytes.reductionServer),
          reductionExpo: reductionFigure('expo'),
          reductionManager: reductionFigure('manager'),
          naivePerWrite: {
            label: 'naive full-row feed, per socket per write (payload only)',
            value: Math.round(naivePerWrite),
            unit: 'bytes',
          },
          failedWrites: {
            label: 'table cycles that stopped on an error',
            value: failed,
            unit: 'cycles',
            target: { max: 0 },
          },
        },
        bottleneck: `where the bytes go — ${
          sockets
            .filter((x) => x.role === 'cook' || x.role === 'server')
            .map((x) =>
              `${x.role}: ${
                Object.entries(x.byKind).sort((a, b) => b[1] - a[1]).map(([kind, n]) =>
                  `${kind} ${Math.round((n / x.bytes) * 100)} %`
                ).join(', ')
              }`
            )
            .join('; ')
        } (${writes} writes, ${naiveMessages} row changes in the naive feed)`,
        cpuPercentOfOneCore: {},
        data: {
          writes,
          failed,
          naive: { messages: naiveMessages, bytes: naiveBytes, bytesPerWrite: Math.round(naivePerWrite) },
          roles: perRole,
          counting: 'ours: whole vsn 2.0.0 frames as received; naive: NOTIFY payload text only',
        },
      }
    } finally {
      for (const socket of sockets) socket.close()
      await removeNaiveFeed(sql).catch(() => {})
      bistro.close()
      await sql.end()
    }
  },
}
