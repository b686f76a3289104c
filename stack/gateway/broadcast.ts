import type { Channel } from './channel.ts'
import type { InboundBroadcast } from './protocol/frames.ts'
import { PAYLOAD_SIZE_EXCEEDED, SYSTEM_MESSAGE } from './protocol/reasons.ts'
import { topicKey } from './registry.ts'
import { broadcastTenant } from './tenant.ts'
import { writeAccess } from './write-access.ts'

/**
 * A client `broadcast` (BroadcastHandler): size check, the socket's rate, RLS write check on private channels,
 * the tenant's rate, fan-out to the topic (without the sender unless it joined with `self`), and an `ok` reply
 * only with `ack`. Denied writes are dropped without a reply even with `ack` — Supabase's "RLS denials are always
 * silent".
 *
 * Rates (TENANT_MAX_EVENTS_PER_SECOND over 5 s): a socket past its own budget is the flooder, and its channel
 * ends as Realtime ends it (`system` "Too many messages per second", then `phx_close`); a message past its
 * restaurant's budget is refused to its sender alone — a `system` error, and the error reply with `ack` — and the
 * channel stays, since the sender may be the cook whose colleagues flooded.
 */
export async function handleClientBroadcast(channel: Channel, message: InboundBroadcast): Promise<void> {
  const { ctx } = channel.owner
  if (message.payload.bytes.length > ctx.options.maxPayloadBytes) {
    ctx.metrics.drops.oversizedPayloads++
    if (channel.ackBroadcast) channel.reply(message.ref, 'error', { error: PAYLOAD_SIZE_EXCEEDED })
    return
  }
  if (!channel.owner.events.tryTake(ctx.clock.now())) {
    ctx.metrics.rateLimitedBroadcasts.socket++
    channel.shutdown(SYSTEM_MESSAGE.tooManyMessages)
    return
  }
  const access = await writeAccess(channel)
  if (!access) return
  if (!access.broadcast) {
    ctx.metrics.drops.unauthorizedWrites++
    return
  }
  const now = ctx.clock.now()
  if (!ctx.eventBudgets.tenants.get(broadcastTenant(channel.subTopic, channel.isPrivate), now).tryTake(now)) {
    ctx.metrics.rateLimitedBroadcasts.tenant++
    channel.warn(SYSTEM_MESSAGE.tooManyMessages)
    if (channel.ackBroadcast) channel.reply(message.ref, 'error', { error: SYSTEM_MESSAGE.tooManyMessages })
    return
  }
  ctx.metrics.broadcasts.client++
  ctx.registry.publish(
    topicKey(channel.subTopic, channel.isPrivate),
    { topic: channel.topic, event: message.userEvent, payload: message.payload, meta: null },
    channel.selfBroadcast ? {} : { except: channel },
  )
  if (channel.ackBroadcast) channel.reply(message.ref, 'ok', {})
}
