// The one bounded request-body reader: a body is buffered up to a byte limit and refused past it, whether its
// Content-Length says so up front or its bytes (chunked, or a lying length) run over on the way.
import { HttpError } from '../../contract/errors.ts'

/** A body over its limit: 413 `payload_too_large`, as every service answers it unless it has words of its own. */
export class BodyTooLarge extends HttpError {
  constructor(readonly limitBytes: number) {
    super(413, 'payload_too_large', `the body exceeds ${limitBytes} bytes`)
    this.name = 'BodyTooLarge'
  }
}

/** The chunks of a body: a web ReadableStream (Request.body), or any async iterable (Node's IncomingMessage). */
export type BodySource = ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

/**
 * The whole body, refusing (BodyTooLarge) to buffer more than `limitBytes`. A declared `contentLength` over the
 * limit is refused before a byte is read. On refusal the source is left as its iterator leaves it on an early
 * return (a ReadableStream is cancelled; for a Node stream, see readable.iterator's `destroyOnReturn`).
 */
export async function readBody(
  source: BodySource | null,
  limitBytes: number,
  contentLength?: string | null,
): Promise<Uint8Array> {
  const declared = Number(contentLength ?? undefined)
  if (Number.isFinite(declared) && declared > limitBytes) throw new BodyTooLarge(limitBytes)
  if (source === null) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let size = 0
  for await (const chunk of 'getReader' in source ? streamChunks(source) : source) {
    size += chunk.byteLength
    if (size > limitBytes) throw new BodyTooLarge(limitBytes)
    chunks.push(chunk)
  }
  if (chunks.length === 1) return chunks[0]!
  const body = new Uint8Array(size)
  let at = 0
  for (const chunk of chunks) {
    body.set(chunk, at)
    at += chunk.byteLength
  }
  return body
}

/** The body of a web-standard Request, bounded as `readBody`. */
export function readRequestBody(req: Request, limitBytes: number): Promise<Uint8Array> {
  return readBody(req.body, limitBytes, req.headers.get('content-length'))
}

// Read through a reader rather than `for await` on the stream: not every TypeScript lib types streams as iterable.
async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  let done = false
  try {
    while (true) {
      const next = await reader.read()
      if (next.done) {
        done = true
        return
      }
      yield next.value
    }
  } finally {
    if (!done) await reader.cancel()
  }
}
