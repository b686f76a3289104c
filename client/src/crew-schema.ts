// zod's mini build: the same schemas at a fraction of the bytes an app bundles (the client's size budget)
import * as z from 'zod/mini';
import type { Status } from './status.ts';

/**
 * What other clients put on the crew topic is untrusted input: any staff member can track any presence meta
 * and broadcast anything there with two lines of supabase-js. These schemas decide what reaches a view; an
 * entry that does not match is dropped (and counted in `health.crewRejected`), so a consumer can rely on the
 * types below and never meets `{role: 5}`.
 */

const STATUSES = ['loading', 'live', 'catching_up', 'polling', 'offline', 'error'] as const satisfies readonly Status[];

const count = z.int().check(z.nonnegative());

/**
 * A console's presence: the screen it shows (required) and how its realtime client is doing (`status` in the
 * client's own words). Fields not listed are dropped: add them here to pass them on. `name` and `role` are what that client *says*; show identity from the server-verified staff row of
 * the member's key instead.
 */
export const presenceMetaSchema = z.object({
  screen: z.string().check(z.maxLength(200)),
  status: z.optional(z.enum(STATUSES)),
  name: z.optional(z.string().check(z.maxLength(100))),
  role: z.optional(z.string().check(z.maxLength(40))),
  p95: z.optional(z.nullable(z.number().check(z.nonnegative()))),
  pending: z.optional(count),
  rollbacks: z.optional(count),
  reconnects: z.optional(count),
  at: z.optional(z.number()),
  /** A server-signed identity claim and this report's signature (functions/presence): what the monitor verifies. */
  claim: z.optional(z.string().check(z.maxLength(2048))),
  sig: z.optional(z.string().check(z.maxLength(128))),
});

export type PresenceMeta = z.infer<typeof presenceMetaSchema>;

/** Broadcast payloads by event; an event not listed here must still carry a JSON object. */
const crewEvents: Record<string, z.ZodMiniType<Record<string, unknown>>> = {
  notice: z.object({ text: z.string().check(z.minLength(1), z.maxLength(1000)) }),
};

const anyPayload = z.record(z.string(), z.unknown());
const eventName = z.string().check(z.minLength(1), z.maxLength(100));

/** A broadcast's payload if it matches its event's schema, else `null`. */
export function crewPayload(event: unknown, payload: unknown): Record<string, unknown> | null {
  if (!eventName.safeParse(event).success) return null;
  const parsed = (crewEvents[event as string] ?? anyPayload).safeParse(payload);
  return parsed.success ? parsed.data : null;
}

/** A presence meta if it matches, else `null` (Supabase's `presence_ref` is dropped with any unknown field). */
export function presenceMeta(meta: unknown): PresenceMeta | null {
  const parsed = presenceMetaSchema.safeParse(meta);
  return parsed.success ? parsed.data : null;
}
