// Node-only: the bounded body reader (body.ts) for Node's IncomingMessage, whose body is not a web stream.
import type { IncomingMessage } from 'node:http'
import { readBody } from './body.ts'

/**
 * The request body, at most `limitBytes` (else BodyTooLarge). A refused body is abandoned with the request
 * destroyed, unless `keepOnRefusal`: then the rest stays unread, paused, for the caller to drain (so its answer
 * reaches a client that is still sending) or cut.
 */
export async function readNodeBody(
  req: IncomingMessage,
  limitBytes: number,
  { keepOnRefusal = false } = {},
): Promise<Buffer> {
  const chunks: AsyncIterable<Uint8Array> = keepOnRefusal ? req.iterator({ destroyOnReturn: false }) : req
  const bytes = await readBody(chunks, limitBytes, req.headers['content-length'])
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
}
