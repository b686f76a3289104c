import { expiredMessage } from './auth/jwt.ts'
import { type Permissions, ProbeError } from './auth/policies.ts'
import type { Channel } from './channel.ts'
import { isRecord } from './protocol/inbound.ts'
import { SYSTEM_MESSAGE } from './protocol/reasons.ts'

/**
 * `access_token` pushes (RealtimeChannel.handle_in "access_token"): nothing happens for the same token,
 * null, or an `sb_` API key. A new token is verified and, on a private channel, read access is checked
 * again with its claims; a bad token, or read access that the new claims no longer grant, ends the
 * channel with Realtime's `system` message and `phx_close`. No reply on success.
 */
export async function handleAccessToken(channel: Channel, payload: unknown): Promise<void> {
  const token = isRecord(payload) ? payload.access_token : undefined
  if (typeof token !== 'string' || token === '' || token.startsWith('sb_') || token === channel.token) return
  const { ctx } = channel.owner
  const verified = await ctx.verifier.verify(token, nowSeconds(channel))
  if (!verified.ok) return endChannel(channel, verified.message)
  if (channel.isPrivate) {
    let read: Permissions
    try {
      read = await ctx.probe.read(channel.authContext(verified.claims), channel.presenceEnabled)
    } catch (error) {
      if (!(error instanceof ProbeError)) throw error
      ctx.log.warn('read authorization failed on token refresh', { topic: channel.topic, kind: error.kind })
      return endChannel(channel, SYSTEM_MESSAGE.databaseUnavailable)
    }
    const previous = channel.read!
    if ((previous.broadcast && !read.broadcast) || (previous.presence && !read.presence)) {
      return endChannel(channel, SYSTEM_MESSAGE.readRevoked(channel.subTopic))
    }
    channel.read = read
    channel.write = null
  }
  channel.token = token
  channel.claims = verified.claims
  channel.scheduleExpiry(confirmToken)
}

/** Expiry timer: a token that has run out ends the channel ("Token has expired N seconds ago"). */
export function confirmToken(channel: Channel): void {
  if (channel.state !== 'joined') return
  const exp = channel.claims?.exp ?? 0
  const now = nowSeconds(channel)
  if (exp > now) {
    channel.scheduleExpiry(confirmToken)
    return
  }
  endChannel(channel, expiredMessage(now - exp))
}

function nowSeconds(channel: Channel): number {
  return Math.floor(channel.owner.ctx.clock.now() / 1000)
}

function endChannel(channel: Channel, message: string): void {
  channel.owner.ctx.metrics.authFailures.refresh++
  channel.shutdown(message)
}
