import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Claims } from '../auth/jwt.ts';
import { ProbeError } from '../auth/policies.ts';
import type { GatewayContext } from '../context.ts';
import { TOPIC_PREFIX } from '../protocol/constants.ts';
import type { RawPayload } from '../protocol/frames.ts';
import { isRecord } from '../protocol/inbound.ts';
import { topicKey } from '../registry.ts';
import { xHeaders } from '../transport/x-headers.ts';
import { BodyTooLarge, readBody } from './body.ts';

/**
 * Realtime's REST broadcast (BroadcastController, BroadcastSingleController, BatchBroadcast):
 *
 *   POST /api/broadcast                               {"messages": [{topic, event, payload, private?, id?}]}
 *   POST /api/broadcast/:topic/events/:event[?private=true]   body = the payload (JSON or octet-stream)
 *
 * Auth: `Authorization: Bearer <jwt>` over the `apikey` header (and, as realtime-js also sends it, the
 * query). 202 with an empty body on success. Private messages need RLS broadcast write on their topic,
 * checked once per topic with the caller's claims; denied topics are skipped silently, still 202.
 */

interface Message {
  readonly topic: string;
  readonly event: string;
  readonly payload: RawPayload;
  readonly private: boolean;
  readonly id: string | null;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const SINGLE = /^\/api\/broadcast\/([^/]+)\/events\/([^/]+)$/;

export class BroadcastApi {
  readonly #ctx: GatewayContext;

  constructor(ctx: GatewayContext) {
    this.#ctx = ctx;
  }

  /** True when `path` (relative to the gateway prefix) is one of the broadcast endpoints. */
  matches(path: string): boolean {
    return path === '/api/broadcast' || SINGLE.test(path);
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL, path: string): Promise<void> {
    try {
      if (req.method !== 'POST') throw new HttpError(405, 'Method Not Allowed');
      const claims = await this.#authenticate(req, url);
      const messages = path === '/api/broadcast' ? await this.#batch(req) : await this.#single(req, url, path);
      await this.#publish(messages, claims, req);
      res.writeHead(202, CORS).end();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      const body = JSON.stringify({ message: error.message });
      res.writeHead(error.status, { ...CORS, 'content-type': 'application/json; charset=utf-8' }).end(body);
    }
  }

  async #authenticate(req: IncomingMessage, url: URL): Promise<Claims> {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apikey = req.headers.apikey;
    const token = bearer ?? (Array.isArray(apikey) ? apikey[0] : apikey) ?? url.searchParams.get('apikey');
    if (!token) throw new HttpError(401, 'Unauthorized');
    const verified = await this.#ctx.verifier.verify(token, Math.floor(this.#ctx.clock.now() / 1000));
    if (!verified.ok) {
      this.#ctx.metrics.authFailures.connect++;
      throw new HttpError(401, 'Unauthorized');
    }
    return verified.claims;
  }

  async #batch(req: IncomingMessage): Promise<Message[]> {
    const body = await this.#read(req, this.#ctx.options.maxFrameBytes);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new HttpError(400, 'Request body is not valid JSON');
    }
    if (!isRecord(parsed) || !Array.isArray(parsed.messages)) throw new HttpError(422, 'messages must be a list');
    return parsed.messages.map((item: unknown) => {
      if (!isRecord(item) || typeof item.topic !== 'string' || typeof item.event !== 'string') {
        throw new HttpError(422, 'each message needs a string topic and event');
      }
      const bytes = Buffer.from(JSON.stringify(item.payload ?? {}));
      this.#checkSize(bytes.length);
      return {
        topic: item.topic,
        event: item.event,
        payload: { encoding: 'json' as const, bytes },
        private: item.private === true || item.private === 'true',
        id: typeof item.id === 'string' ? item.id : null,
      };
    });
  }

  async #single(req: IncomingMessage, url: URL, path: string): Promise<Message[]> {
    const [, topic, event] = SINGLE.exec(path)!;
    const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/json' && type !== 'application/octet-stream') {
      throw new HttpError(415, 'Unsupported Media Type');
    }
    const bytes = await this.#read(req, this.#ctx.options.maxPayloadBytes);
    if (type === 'application/json') {
      try {
        JSON.parse(bytes.toString('utf8'));
      } catch {
        throw new HttpError(400, 'Request body is not valid JSON');
      }
    }
    return [
      {
        topic: decodeURIComponent(topic!),
        event: decodeURIComponent(event!),
        payload: { encoding: type === 'application/json' ? 'json' : 'binary', bytes },
        private: url.searchParams.get('private') === 'true',
        id: null,
      },
    ];
  }

  async #read(req: IncomingMessage, limit: number): Promise<Buffer> {
    try {
      return await readBody(req, limit);
    } catch (error) {
      if (!(error instanceof BodyTooLarge)) throw error;
      this.#ctx.metrics.drops.oversizedPayloads++;
      throw new HttpError(422, 'Payload size exceeds tenant limit');
    }
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#ctx.options.maxPayloadBytes) {
      this.#ctx.metrics.drops.oversizedPayloads++;
      throw new HttpError(422, 'Payload size exceeds tenant limit');
    }
  }

  async #publish(messages: Message[], claims: Claims, req: IncomingMessage): Promise<void> {
    const { registry, metrics, probe, log } = this.#ctx;
    const writable = new Map<string, boolean>();
    for (const message of messages) {
      if (message.private) {
        let allowed = writable.get(message.topic);
        if (allowed === undefined) {
          try {
            allowed = (await probe.write({ subTopic: message.topic, claims, headers: xHeaders(req) })).broadcast;
          } catch (error) {
            if (!(error instanceof ProbeError)) throw error;
            log.warn('write authorization failed (HTTP broadcast)', { topic: message.topic, kind: error.kind });
            allowed = false;
          }
          writable.set(message.topic, allowed);
        }
        if (!allowed) {
          metrics.drops.unauthorizedWrites++;
          continue;
        }
      }
      metrics.broadcasts.http++;
      registry.publish(topicKey(message.topic, message.private), {
        topic: TOPIC_PREFIX + message.topic,
        event: message.event,
        payload: message.payload,
        meta: message.id === null ? null : JSON.stringify({ id: message.id }),
      });
    }
  }
}

/** Realtime's REST API is open to browsers (Corsica origins "*"). */
export const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, x-client-info, apikey, content-type',
  'access-control-allow-methods': 'POST, OPTIONS',
} as const;
