import { type Permissions, ProbeError } from './auth/policies.ts'
import type { Channel } from './channel.ts'

/**
 * A private channel's write permissions, probed on first use and cached until the token changes
 * (Realtime's get_write_authorizations). Public channels may always write. Null when the database could
 * not answer: the caller drops the message, as Realtime does (UnableToHandleBroadcast / …Presence).
 */
export async function writeAccess(channel: Channel): Promise<Permissions | null> {
  if (!channel.isPrivate) return { broadcast: true, presence: true }
  if (channel.write) return channel.write
  const { ctx } = channel.owner
  try {
    channel.write = await ctx.probe.write(channel.authContext(channel.claims!))
    return channel.write
  } catch (error) {
    if (!(error instanceof ProbeError)) throw error
    ctx.log.warn('write authorization failed', { topic: channel.topic, kind: error.kind, error: error.cause })
    return null
  }
}
