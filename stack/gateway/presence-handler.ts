import { ProbeError } from './auth/policies.ts'
import type { Channel } from './channel.ts'
import { EVENT } from './protocol/constants.ts'
import { isRecord } from './protocol/inbound.ts'
import { PRESENCE_REASON, SYSTEM_MESSAGE } from './protocol/reasons.ts'
import { writeAccess } from './write-access.ts'

/**
 * `presence` pushes (PresenceHandler): `track` with a map payload, or `untrack`. The diff goes to every
 * subscriber allowed to read presence; the caller gets `ok`, or `{status: "error"}` when RLS denies the
 * write. Tracking on a channel that joined without presence turns presence on for it (and sends it the
 * current state), as Realtime does.
 */
export async function handlePresence(channel: Channel, ref: string | null, payload: unknown): Promise<void> {
  const { ctx } = channel.owner
  if (
    !channel.presenceCalls.tryCall(
      ctx.options.presenceMaxCalls,
      ctx.options.presenceWindowMs,
      ctx.clock.now(),
    )
  ) {
    channel.shutdown(SYSTEM_MESSAGE.presenceRateLimited)
    return
  }
  const event = isRecord(payload) && typeof payload.event === 'string' ? payload.event.toLowerCase() : ''
  const topic = channel.registryTopic!
  if (event === 'untrack') {
    const diff = topic.untrack(channel)
    channel.reply(ref, 'ok', {})
    if (diff) ctx.registry.pushPresenceDiff(topic, channel.topic, diff)
    return
  }
  if (event !== 'track') {
    channel.reply(ref, 'error', {})
    return
  }
  const meta = (payload as { payload?: unknown }).payload
  if (!isRecord(meta)) {
    channel.reply(ref, 'error', { reason: PRESENCE_REASON.payloadNotMap })
    return
  }
  if (Buffer.byteLength(JSON.stringify(meta)) > ctx.options.maxPayloadBytes) {
    channel.shutdown(SYSTEM_MESSAGE.trackTooLarge)
    return
  }
  const access = await writeAccess(channel)
  if (!access?.presence) {
    if (access) ctx.metrics.drops.unauthorizedWrites++
    channel.reply(ref, 'error', {})
    return
  }
  const firstUse = !channel.presenceEnabled
  if (firstUse && !(await enablePresence(channel))) {
    channel.reply(ref, 'error', {})
    return
  }
  const diff = topic.presence.track(channel, channel.presenceKey, meta)
  channel.reply(ref, 'ok', {})
  if (firstUse && channel.canReadPresence) channel.push(EVENT.presenceState, topic.presence.state())
  if (diff) ctx.registry.pushPresenceDiff(topic, channel.topic, diff)
}

/** A private channel that joined without presence has not had presence read checked yet. */
async function enablePresence(channel: Channel): Promise<boolean> {
  if (channel.isPrivate) {
    try {
      channel.read = await channel.owner.ctx.probe.read(channel.authContext(channel.claims!), true)
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error
      channel.owner.ctx.log.warn('presence read authorization failed', {
        topic: channel.topic,
        kind: error.kind,
      })
      return false
    }
  }
  channel.presenceEnabled = true
  return true
}
