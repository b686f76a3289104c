import { connect } from 'node:net'

/** What came back for bytes written straight to a socket: the final status line's code and the body, or a failure. */
export interface RawAnswer {
  status?: number
  headers: Record<string, string>
  body: string
  error?: string
}

export interface RawOptions {
  /** Half-close right after writing: the client has nothing more to send (e.g. a body shorter than declared). */
  halfClose?: boolean
  /** With no answer after this long, half-close anyway (a request the server still waits on). */
  quietMs?: number
  /** The whole exchange's bound. */
  timeoutMs?: number
}

/**
 * Writes `bytes` to the API port as they are (no HTTP client to tidy them up) and reads one answer: until the
 * server closes the connection, a complete answer has arrived (Content-Length, chunked end, 101), or the bound
 * passes. The socket stays open for writing meanwhile, because the server abandons the request of a client that
 * half-closed. A refused connection is `error: 'ECONNREFUSED'`.
 */
export function rawExchange(
  port: number,
  bytes: Buffer | string,
  options: RawOptions = {},
): Promise<RawAnswer> {
  const { halfClose = false, quietMs = 3000, timeoutMs = 15_000 } = options
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    const done = (error?: string) => {
      clearTimeout(bound)
      clearTimeout(quiet)
      socket.destroy()
      resolve({ ...parse(Buffer.concat(chunks).toString('latin1')).answer, ...(error && { error }) })
    }
    const bound = setTimeout(() => done('no end within the bound'), timeoutMs)
    const quiet = setTimeout(() => socket.end(), quietMs)
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      if (parse(Buffer.concat(chunks).toString('latin1')).complete) done()
    })
    // a reset after the answer (a server closing on a half-sent body) is no failure; a refusal is
    socket.on(
      'error',
      (error: NodeJS.ErrnoException) => done(error.code === 'ECONNREFUSED' ? error.code : undefined),
    )
    socket.on('close', () => done())
    if (halfClose) socket.end(bytes)
    else socket.write(bytes)
  })
}

function parse(text: string): { answer: Omit<RawAnswer, 'error'>; complete: boolean } {
  // interim answers (100 Continue) come before the one that counts
  const rest = text.replace(/^(?:HTTP\/1\.[01] 1(?!01)\d\d[^\r\n]*\r\n(?:[^\r\n]+\r\n)*\r\n)+/, '')
  const match = /^HTTP\/1\.[01] (\d{3})[^\r\n]*\r\n/.exec(rest)
  const end = rest.indexOf('\r\n\r\n')
  if (!match || end < 0) {
    return { answer: { headers: {}, body: '', ...(match && { status: Number(match[1]) }) }, complete: false }
  }
  const headers: Record<string, string> = {}
  for (const line of rest.slice(match[0].length, end).split('\r\n')) {
    const colon = line.indexOf(':')
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const status = Number(match[1])
  const body = rest.slice(end + 4)
  const length = headers['content-length']
  const complete = status === 101 ||
    (length !== undefined && Buffer.byteLength(body, 'latin1') >= Number(length)) ||
    (headers['transfer-encoding'] === 'chunked' && body.endsWith('0\r\n\r\n'))
  return { answer: { status, headers, body }, complete }
}
