import type { ChildProcess } from 'node:child_process'
import postgres from 'postgres'
import { HOT_TOPIC_ITEM } from '../../k6/scenarios.js'
import type { PublishCommand } from '../../baselines/bare-ws-server.ts'
import { rssOf } from '../../bench/cpu.ts'
import { startGatewayProcess, startServerProcess, waitForIngest } from '../../bench/gateway/process.ts'
import { raisedLimits } from '../../bench/limits.ts'
import { openLoop, type OpenLoopOutcome } from '../../bench/open-loop.ts'
import type { ScenarioContext } from '../../bench/scenario.ts'

/**
 * The three fan-out systems hot-topic compares, each in a process of its own behind one interface: the bare `ws`
 * server and the LISTEN/NOTIFY relay (load/baselines/), and this gateway fed by inserts into realtime.messages.
 */
export type SystemName = 'bare' | 'relay' | 'gateway'

export interface FanoutSystem {
  readonly url: string
  readonly pid: number
  publish(event: string, rate: number, count: number, startAt: number): Promise<OpenLoopOutcome>
  rssBytes(): Promise<number | null>
  slowConsumersDropped(): Promise<number | null>
  stop(): Promise<void>
}

export const body = (seq: number, due: number) => ({ ...HOT_TOPIC_ITEM, seq, due })

export async function startSystem(
  name: SystemName,
  context: ScenarioContext,
  topic: string,
): Promise<FanoutSystem> {
  const { stack } = context
  if (name === 'gateway') {
    const sql = postgres(stack.dbUrl, { max: 4, onnotice: () => {} })
    const gateway = await startGatewayProcess(
      { dbUrl: stack.dbUrl, jwtSecret: stack.jwtSecret },
      // Every subscriber connects and joins from this one address with the anon key (bench/limits.ts says why).
      raisedLimits('hot-topic-gateway'),
    )
    await waitForIngest(gateway)
    return {
      url: gateway.url,
      pid: gateway.pid,
      publish: (event, rate, count, startAt) =>
        openLoop(
          rate,
          count,
          startAt,
          (seq, due) =>
            sql`insert into realtime.messages (topic, extension, event, private, payload)
              values (${topic}, 'broadcast', ${event}, false,
                      ${
              sql.json(body(seq, due))
            }::jsonb || jsonb_build_object('t', extract(epoch from clock_timestamp()) * 1000))`.execute(),
        ),
      rssBytes: async () => (await gateway.metrics()).process.rssBytes,
      slowConsumersDropped: async () => (await gateway.metrics()).drops.slowConsumers,
      stop: async () => {
        await gateway.stop()
        await sql.end()
      },
    }
  }
  if (name === 'relay') {
    const sql = postgres(stack.dbUrl, { max: 4, onnotice: () => {} })
    const relay = await startServerProcess('load/baselines/notify-relay.ts', [], {
      PLATER_DB_URL: stack.dbUrl,
      BENCH_TOPIC: topic,
      BENCH_CHANNELS: 'tick,warmup',
    })
    return {
      url: relay.url,
      pid: relay.pid,
      publish: (event, rate, count, startAt) =>
        openLoop(
          rate,
          count,
          startAt,
          (seq, due) =>
            sql`select pg_notify(${event}, (${sql.json(body(seq, due))}::jsonb
                || jsonb_build_object('t', extract(epoch from clock_timestamp()) * 1000))::text)`.execute(),
        ),
      rssBytes: () => Promise.resolve(rssOf(relay.pid)),
      slowConsumersDropped: () => Promise.resolve(null),
      stop: async () => {
        await relay.stop()
        await sql.end()
      },
    }
  }
  const bare = await startServerProcess('load/baselines/bare-ws-server.ts', [], {})
  return {
    url: bare.url,
    pid: bare.pid,
    publish: (event, rate, count, startAt) =>
      askChild(bare.child, { type: 'publish', topic, event, rate, count, startAt, body: HOT_TOPIC_ITEM }),
    rssBytes: () => Promise.resolve(rssOf(bare.pid)),
    slowConsumersDropped: () => Promise.resolve(null),
    stop: bare.stop,
  }
}

function askChild(child: ChildProcess, command: PublishCommand): Promise<OpenLoopOutcome> {
  return new Promise((resolve) => {
    child.once('message', (answer) => resolve(answer as OpenLoopOutcome))
    child.send(command)
  })
}
