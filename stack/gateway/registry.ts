import type { GatewayMetrics } from './metrics.ts'
import { type PresenceDiff, PresenceState } from './presence.ts'
import { EVENT } from './protocol/constants.ts'
import type { EncodedFrame, UserBroadcast } from './protocol/frames.ts'
import type { Serializer } from './protocol/serializer.ts'
import type { Conn } from './transport/conn.ts'

/** What fan-out needs from a joined channel. */
export interface Subscriber {
  readonly conn: Conn
  readonly serializer: Serializer
  /** False for a private channel whose RLS read check did not grant broadcast. */
  readonly canReadBroadcast: boolean
  readonly canReadPresence: boolean
  /** Broadcast replay already pushed this message id; the live copy is skipped. */
  replayed(messageId: string): boolean
}

/** One topic's subscribers, keyed like Realtime's tenant topics: public and private never mix. */
export class Topic {
  readonly key: string
  readonly subscribers = new Set<Subscriber>()
  #presence: PresenceState | null = null

  constructor(key: string) {
    this.key = key
  }

  /** Created on first track; entries belong to subscribers, which untrack when they leave. */
  get presence(): PresenceState {
    return (this.#presence ??= new PresenceState())
  }

  /** Untrack without creating presence state for topics that never used it. */
  untrack(owner: Subscriber): PresenceDiff | null {
    return this.#presence?.untrack(owner) ?? null
  }
}

export function topicKey(subTopic: string, isPrivate: boolean): string {
  return `${isPrivate ? 'private' : 'public'}:${subTopic}`
}

export interface PublishOptions {
  /** The sending channel when the client joined with `broadcast.self = false`. */
  readonly except?: Subscriber
  /** `realtime.messages.id`, for replay de-duplication. */
  readonly messageId?: string
}

export class TopicRegistry {
  readonly #topics = new Map<string, Topic>()
  readonly #metrics: GatewayMetrics

  constructor(metrics: GatewayMetrics) {
    this.#metrics = metrics
  }

  get size(): number {
    return this.#topics.size
  }

  subscribe(key: string, subscriber: Subscriber): Topic {
    let topic = this.#topics.get(key)
    if (!topic) {
      topic = new Topic(key)
      this.#topics.set(key, topic)
    }
    topic.subscribers.add(subscriber)
    return topic
  }

  unsubscribe(topic: Topic, subscriber: Subscriber): void {
    topic.subscribers.delete(subscriber)
    if (topic.subscribers.size === 0) this.#topics.delete(topic.key)
  }

  /**
   * Fan-out: the broadcast is encoded at most once per serializer, on first need, and that one buffer
   * is queued on every subscriber's socket. Returns the number of deliveries.
   */
  publish(key: string, broadcast: UserBroadcast, options: PublishOptions = {}): number {
    const topic = this.#topics.get(key)
    if (!topic) return 0
    const frames = new Map<Serializer, EncodedFrame | null>()
    let delivered = 0
    for (const subscriber of topic.subscribers) {
      if (subscriber === options.except || !subscriber.canReadBroadcast) continue
      if (options.messageId !== undefined && subscriber.replayed(options.messageId)) continue
      let frame = frames.get(subscriber.serializer)
      if (frame === undefined) {
        frame = subscriber.serializer.encodeUserBroadcast(broadcast)
        frames.set(subscriber.serializer, frame)
      }
      if (frame === null) {
        this.#metrics.drops.unencodable++
        continue
      }
      if (subscriber.conn.send(frame)) delivered++
    }
    return delivered
  }

  /** `presence_diff` to every subscriber allowed to read presence, encoded once per serializer. */
  pushPresenceDiff(topic: Topic, channelTopic: string, diff: PresenceDiff): void {
    const message = {
      joinRef: null,
      ref: null,
      topic: channelTopic,
      event: EVENT.presenceDiff,
      payload: diff,
    }
    const frames = new Map<Serializer, EncodedFrame>()
    for (const subscriber of topic.subscribers) {
      if (!subscriber.canReadPresence) continue
      let frame = frames.get(subscriber.serializer)
      if (frame === undefined) {
        frame = subscriber.serializer.encode(message)
        frames.set(subscriber.serializer, frame)
      }
      subscriber.conn.send(frame)
    }
  }
}
