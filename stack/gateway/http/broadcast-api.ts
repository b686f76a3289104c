import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_ORIGIN, HttpError, preflightHeaders, sendError } from '../../api/respond.ts';
import type { Claims } from '../auth/jwt.ts';
import { ProbeError } from '../auth/policies.ts';
import type { GatewayContext } from '../context.ts';
import { MAX_JSON_DEPTH, TOPIC_PREFIX } from '../protocol/constants.ts';
import type { RawPayload } from '../protocol/frames.ts';
import { isRecord } from '../protocol/inbound.ts';
import { jsonDepthExceeds } from '../protocol/json-depth.ts';
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
 * Errors are Realtime's `{"message": …}`; JSON nested deeper than MAX_JSON_DEPTH is a 400.
 */

interface Message {
  readonly topic: string;
  readonly event: string;
  readonly payload: RawPayload;
  readonly private: boolean;
  readonly id: string | null;
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
      if (req.method !== 'POST') throw new HttpError(405, 'method_not_allowed', 'Method Not Allowed');
      const claims = await this.#authenticate(req, url);
      const messages = path === '/api/broadcast' ? await this.#batch(req) : await this.#single(req, url, path);
      await this.#publish(messages, claims, req);
      res.writeHead(202, CORS_ORIGIN).end();
    } catch (error) {
      if (!(error instanceof HttpError)) throw error;
      sendError(res, error, { message: error.message });
    }
  }

  async #authenticate(req: IncomingMessage, url: URL): Promise<Claims> {
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const apikey = req.headers.apikey;
    const token = bearer ?? (Array.isArray(apikey) ? apikey[0] : apikey) ?? url.searchParams.get('apikey');
    if (!token) throw unauthorized();
    const verified = await this.#ctx.verifier.verify(token, Math.floor(this.#ctx.clock.now() / 1000));
    if (!verified.ok) {
      this.#ctx.metrics.authFailures.connect++;
      throw unauthorized();
    }
    return verified.claims;
  }

  async #batch(req: IncomingMessage): Promise<Message[]> {
    const parsed = parseJsonBody(await this.#read(req, this.#ctx.options.maxFrameBytes));
    if (!isRecord(parsed) || !Array.isArray(parsed.messages)) throw unprocessable('messages must be a list');
    return parsed.messages.map((item: unknown) => {
      if (!isRecord(item) || typeof item.topic !== 'string' || typeof item.event !== 'string') {
        throw unprocessable('each message needs a string topic and event');
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
      throw new HttpError(415, 'unsupported_media_type', 'Unsupported Media Type');
    }
    const bytes = await this.#read(req, this.#ctx.options.maxPayloadBytes);
    if (type === 'application/json') parseJsonBody(bytes);
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
      throw unprocessable(PAYLOAD_TOO_LARGE);
    }
  }

  #checkSize(bytes: number): void {
    if (bytes > this.#ctx.options.maxPayloadBytes) {
      this.#ctx.metrics.drops.oversizedPayloads++;
      throw unprocessable(PAYLOAD_TOO_LARGE);
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

/** Realtime's REST API is open to browsers (Corsica origins "*"): the answer to a preflight. */
export const PREFLIGHT = preflightHeaders(['POST'], ['authorization', 'x-client-info', 'apikey', 'content-type']);

const PAYLOAD_TOO_LARGE = 'Payload size exceeds tenant limit';

const unauthorized = () => new HttpError(401, 'unauthorized', 'Unauthorized');
const unprocessable = (message: string) => new HttpError(422, 'unprocessable', message);

/** A JSON body, parsed only if it is JSON and nests no deeper than a client frame may. */
function parseJsonBody(bytes: Buffer): unknown {
  const text = bytes.toString('utf8');
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) {
    throw new HttpError(400, 'bad_request', `Request body nests JSON deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'bad_request', 'Request body is not valid JSON');
  }
}
