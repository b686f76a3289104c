import type { Channel } from './channel.ts';
import type { InboundBroadcast } from './protocol/frames.ts';
import { PAYLOAD_SIZE_EXCEEDED } from './protocol/reasons.ts';
import { topicKey } from './registry.ts';
import { writeAccess } from './write-access.ts';

/**
 * A client `broadcast` (BroadcastHandler): size check, RLS write check on private channels, fan-out to
 * the topic (without the sender unless it joined with `self`), and an `ok` reply only with `ack`.
 * Denied writes are dropped without a reply even with `ack` — Supabase's "RLS denials are always silent".
 */
export async function handleClientBroadcast(channel: Channel, message: InboundBroadcast): Promise<void> {
  const { ctx } = channel.owner;
  if (message.payload.bytes.length > ctx.options.maxPayloadBytes) {
    ctx.metrics.drops.oversizedPayloads++;
    if (channel.ackBroadcast) channel.reply(message.ref, 'error', { error: PAYLOAD_SIZE_EXCEEDED });
    return;
  }
  const access = await writeAccess(channel);
  if (!access) return;
  if (!access.broadcast) {
    ctx.metrics.drops.unauthorizedWrites++;
    return;
  }
  ctx.metrics.broadcasts.client++;
  ctx.registry.publish(
    topicKey(channel.subTopic, channel.isPrivate),
    { topic: channel.topic, event: message.userEvent, payload: message.payload, meta: null },
    channel.selfBroadcast ? {} : { except: channel },
  );
  if (channel.ackBroadcast) channel.reply(message.ref, 'ok', {});
}
