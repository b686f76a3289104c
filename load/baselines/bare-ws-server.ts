import { randomUUID } from 'node:crypto';
import { encodeUserBroadcast } from '../../stack/gateway/protocol/binary.ts';
import { openLoop } from '../bench/open-loop.ts';
import { listenForSubscribers } from './subscribers-server.ts';

/**
 * Baseline (a), the ceiling: a bare `ws` server with no database. Asked over IPC to publish `count` messages at
 * `rate`/s, it encodes each one once — the same vsn 2.0.0 kind-4 frame the gateway sends for the same payload —
 * (with a message id in `meta`, as the gateway's) and sends those bytes to every socket. It stamps `t` with its own clock just before encoding (there is no
 * database clock here; the subscribers share this host's clock).
 */
export interface PublishCommand {
  readonly type: 'publish';
  readonly topic: string;
  readonly event: string;
  readonly rate: number;
  readonly count: number;
  /** Epoch ms the first message is due. */
  readonly startAt: number;
  readonly body: Record<string, unknown>;
}

const clients = listenForSubscribers();

process.on('message', async (command: PublishCommand) => {
  const topic = `realtime:${command.topic}`;
  const outcome = await openLoop(command.rate, command.count, command.startAt, (seq, due) => {
    const payload = Buffer.from(JSON.stringify({ ...command.body, seq, due, t: Date.now() }));
    const frame = encodeUserBroadcast({ topic, event: command.event, payload: { encoding: 'json', bytes: payload }, meta: `{"id":"${randomUUID()}"}` })!;
    for (const ws of clients) ws.send(frame);
    return undefined;
  });
  process.send!({ type: 'published', ...outcome });
});
