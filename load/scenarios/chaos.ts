import { setTimeout as sleep } from 'node:timers/promises'
import postgres from 'postgres'
import { TARGETS } from '../k6/scenarios.js'
import { DemoBistro, type TableCycle } from '../bench/demo-service.ts'
import { numberOption, type Scenario } from '../bench/scenario.ts'
import { SeqSubscriber } from '../bench/seq-subscriber.ts'
import { OwnedStack } from '../bench/stack.ts'
import { median } from '../bench/stats.ts'
import { topicHeads } from '../bench/topic-heads.ts'

/**
 * Chaos (target: 0 lost updates after catch-up): `--duration` seconds of steady writes (table cycles in the demo
 * bistro through /functions/v1 at `--rate`/s, open loop; a step that fails because the stack is down is sent again
 * with the same Idempotency-Key until it succeeds) while the stack is restarted `--restarts` times (a clean stop and
 * start of `plater start`: gateway, functions, Postgres) and Postgres is killed `--postgres-kills` times (SIGKILL to
 * the postmaster: the stack restarts it and Postgres runs crash recovery), evenly spread.
 * `--subscribers` SeqSubscribers spread over every topic the writes publish to reconnect, rejoin and catch up by
 * seq. At the end every subscriber must hold every seq its topic published since it started, exactly once (applied
 * in order; a repeat is counted as a duplicate delivery and dropped). Time to heal: from the moment the stack went
 * down until every subscriber holds everything that had been committed when the stack was back.
 * Runs on a stack the harness owns (it starts one when the environment names another).
 */

interface Outage {
  readonly kind: 'restart' | 'postgres-kill'
  readonly atSecond: number
  readonly downSeconds: number
  readonly healSeconds: number | null
}

async function topicSeqs(dbUrl: string, topics: string[]): Promise<Map<string, number>> {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} })
  try {
    return await topicHeads(sql, topics)
  } finally {
    await sql.end()
  }
}

/** A restarted Postgres may still be finishing crash recovery when the stack reports its new pid. */
async function untilDatabaseAnswers<T>(read: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    try {
      return await read()
    } catch (error) {
      if (performance.now() > deadline) throw error
      await sleep(250)
    }
  }
}

export const chaos: Scenario = {
  name: 'chaos',
  summary:
    'steady writes through stack restarts and Postgres kills: every subscriber ends with every seq exactly once',
  options: {
    duration: '600',
    rate: '10',
    subscribers: '100',
    restarts: '5',
    'postgres-kills': '2',
    tables: '12',
  },
  minutes: 11,
  async run({ stack: given, progress, options }) {
    const stack = given instanceof OwnedStack ? given : await OwnedStack.start()
    const duration = numberOption(options, 'duration')
    const rate = numberOption(options, 'rate')
    const sql = postgres(stack.dbUrl, { max: 1, onnotice: () => {} })
    const bistro = await DemoBistro.open(stack)
    const cycles: TableCycle[] = await bistro.freeTableCycles(sql, numberOption(options, 'tables'))
    await sql.end()
    const topics = bistro.allTopics()
    const baseline = await topicSeqs(stack.dbUrl, topics.map((t) => t.topic))
    const subscribers = Array.from({ length: numberOption(options, 'subscribers') }, (_, i) => {
      const { topic, token } = topics[i % topics.length]!
      return new SeqSubscriber(stack.apiUrl, stack.anonKey, bistro.http, topic, token, baseline.get(topic)!)
    })
    for (const s of subscribers) s.start()
    try {
      // The writer: open loop, each slot to the next idle table; steps retried through outages.
      const started = performance.now()
      const elapsed = () => (performance.now() - started) / 1000
      const writes = { done: 0, retried: 0, failed: 0, skipped: 0, errors: [] as string[] }
      let writing = true
      const writer = (async () => {
        const pending = new Set<Promise<void>>()
        for (let i = 0; writing; i++) {
          const wait = started + (i * 1000) / rate - performance.now()
          if (wait > 1) await sleep(wait)
          const cycle = cycles.find((c) => !c.busy)
          if (!cycle) {
            writes.skipped++
            continue
          }
          cycle.busy = true
          const p = cycle
            .advance(120_000)
            .then(
              (attempts) => {
                writes.done++
                if (attempts > 1) writes.retried++
              },
              (error: Error) => {
                writes.failed++
                if (writes.errors.length < 10) writes.errors.push(error.message)
              },
            )
            .finally(() => {
              cycle.busy = false
              pending.delete(p)
            })
          pending.add(p)
        }
        await Promise.all(pending)
      })()

      // The outages, evenly spread: kills in the middle of the restarts.
      const restarts = numberOption(options, 'restarts')
      const kills = numberOption(options, 'postgres-kills')
      const killsAt = new Set(
        Array.from({ length: kills }, (_, k) => Math.round(((k + 1) * (restarts + kills)) / (kills + 1)) - 1),
      )
      const plan: Outage['kind'][] = Array.from(
        { length: restarts + kills },
        (_, i) => (killsAt.has(i) ? 'postgres-kill' : 'restart'),
      )
      const outages: Outage[] = []
      const status = () =>
        `${
          Math.round(elapsed())
        }/${duration} s, ${writes.done} writes (${writes.retried} retried), ${outages.length}/${plan.length} outages, ${
          subscribers.reduce((s, x) => s + x.reconnects, 0)
        } reconnects`
      for (const [n, kind] of plan.entries()) {
        const at = (duration * (n + 1)) / (plan.length + 1)
        while (elapsed() < at) {
          progress.update(status())
          await sleep(Math.min(1000, (at - elapsed()) * 1000))
        }
        const downAt = performance.now()
        progress.update(`${status()} — ${kind}`)
        if (kind === 'restart') {
          await stack.restart()
        } else {
          await stack.killPostgres()
        }
        const upAt = performance.now()
        const committed = await untilDatabaseAnswers(() => topicSeqs(stack.dbUrl, topics.map((t) => t.topic)))
        let healedAt: number | null = null
        while (performance.now() - upAt < 120_000) {
          if (subscribers.every((s) => s.applied >= committed.get(s.topic)!)) {
            healedAt = performance.now()
            break
          }
          await sleep(100)
        }
        outages.push({
          kind,
          atSecond: Math.round((downAt - started) / 100) / 10,
          downSeconds: Math.round((upAt - downAt) / 100) / 10,
          healSeconds: healedAt === null ? null : Math.round((healedAt - downAt) / 100) / 10,
        })
        progress.note(
          `chaos: ${kind} at ${outages.at(-1)!.atSecond} s — down ${
            outages.at(-1)!.downSeconds
          } s, healed after ${outages.at(-1)!.healSeconds ?? 'never (120 s)'} s`,
        )
      }
      while (elapsed() < duration) {
        progress.update(status())
        await sleep(Math.min(1000, (duration - elapsed()) * 1000))
      }
      writing = false
      await writer

      // Catch-up: everything committed is fetched by every subscriber, then live deliveries get a moment to settle.
      const final = await topicSeqs(stack.dbUrl, topics.map((t) => t.topic))
      const settleStart = performance.now()
      while (
        performance.now() - settleStart < 60_000 &&
        !subscribers.every((s) => s.applied >= final.get(s.topic)!)
      ) {
        await Promise.all(subscribers.map((s) => s.catchUp()))
        await sleep(250)
      }
      await sleep(1000)

      const lostBySubscriber = subscribers.map((s) => Math.max(0, final.get(s.topic)! - s.applied))
      const lost = lostBySubscriber.reduce((a, b) => a + b, 0)
      const published = [...final].reduce((sum, [topic, seq]) => sum + seq - baseline.get(topic)!, 0)
      const expectedHoldings = subscribers.reduce((sum, s) => sum + final.get(s.topic)! - s.baseline, 0)
      const duplicates = subscribers.reduce((sum, s) => sum + s.duplicates, 0)
      const heals = outages.map((o) => o.healSeconds).filter((h): h is number => h !== null)
      return {
        parameters: {
          duration,
          rate,
          subscribers: subscribers.length,
          restarts,
          postgresKills: kills,
          topics: topics.length,
        },
        figures: {
          lost: {
            label: `seqs missing after catch-up (${subscribers.length} subscribers, ${
              expectedHoldings.toLocaleString('en')
            } holdings expected)`,
            value: lost,
            unit: 'messages',
            target: TARGETS.chaos.lost,
          },
          subscribersWithLoss: {
            label: 'subscribers missing anything',
            value: lostBySubscriber.filter((n) => n > 0).length,
            unit: 'subscribers',
            target: { max: 0 },
          },
          duplicates: {
            label: 'duplicate deliveries (dropped by seq; none held twice)',
            value: duplicates,
            unit: 'messages',
          },
          healMedian: {
            label: `time to heal, median of ${outages.length} outages (down → everyone holds all committed)`,
            value: heals.length ? median(heals) : null,
            unit: 's',
          },
          healMax: {
            label: 'time to heal, worst outage',
            value: heals.length ? Math.max(...heals) : null,
            unit: 's',
          },
          neverHealed: {
            label: 'outages not healed within 120 s',
            value: outages.length - heals.length,
            unit: 'outages',
            target: { max: 0 },
          },
          writesFailed: {
            label: `writes given up after 120 s of retries (of ${writes.done + writes.failed})`,
            value: writes.failed,
            unit: 'writes',
            target: { max: 0 },
          },
          refetches: {
            label: 'catch-ups answered "refetch the snapshot"',
            value: subscribers.reduce((s, x) => s + x.refetches, 0),
            unit: 'answers',
            target: { max: 0 },
          },
        },
        bottleneck: `time to heal is mostly the stack's own stop and start (median down ${
          median(outages.map((o) => o.downSeconds))
        } s); ${
          subscribers.reduce((s, x) => s + x.fromCatchUp, 0).toLocaleString('en')
        } events came through catch-up, ${
          subscribers.reduce((s, x) => s + x.fromSocket, 0).toLocaleString('en')
        } over sockets`,
        cpuPercentOfOneCore: {},
        data: {
          outages,
          writes,
          published,
          perTopic: Object.fromEntries(
            [...final].map(([topic, seq]) => [topic, { from: baseline.get(topic), to: seq }]),
          ),
          subscribers: subscribers.map((s) => ({
            topic: s.topic,
            applied: s.applied,
            lost: Math.max(0, final.get(s.topic)! - s.applied),
            duplicates: s.duplicates,
            fromSocket: s.fromSocket,
            fromCatchUp: s.fromCatchUp,
            reconnects: s.reconnects,
            catchUpErrors: s.catchUpErrors,
          })),
        },
      }
    } finally {
      for (const s of subscribers) s.stop()
      bistro.close()
      if (stack !== given) await stack.stop()
    }
  },
}
