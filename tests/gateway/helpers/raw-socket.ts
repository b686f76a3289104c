import WebSocket from 'ws'
import { clientDecode, type ClientMessage, clientTextPush } from '../../../stack/testing/index.ts'

/**
 * A bare WebSocket speaking the protocol by hand, for frame-exact assertions and for frames no official
 * client would send. Incoming frames are decoded with realtime-js's own decoder.
 */
export class RawSocket {
  readonly ws: WebSocket
  readonly vsn: '1.0.0' | '2.0.0'
  readonly received: ClientMessage[] = []
  readonly closed: Promise<{ code: number; reason: string }>
  #waiters: (() => void)[] = []

  private constructor(ws: WebSocket, vsn: '1.0.0' | '2.0.0') {
    this.ws = ws
    this.vsn = vsn
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.received.push(clientDecode(vsn, data, isBinary))
      for (const wake of this.#waiters.splice(0)) wake()
    })
    this.closed = new Promise((resolve) =>
      ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }))
    )
  }

  /** `localAddress` (another 127.x address) makes the socket a different caller for the join limits. */
  static open(
    apiUrl: string,
    apikey: string,
    vsn: '1.0.0' | '2.0.0' = '2.0.0',
    localAddress?: string,
  ): Promise<RawSocket> {
    const url = `${apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?apikey=${apikey}&vsn=${vsn}`
    const ws = new WebSocket(url, { localAddress })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawSocket(ws, vsn)))
      ws.once('error', reject)
    })
  }

  /** A message in this socket's text format. */
  push(joinRef: string | null, ref: string | null, topic: string, event: string, payload: unknown): void {
    this.ws.send(clientTextPush(this.vsn, { join_ref: joinRef, ref, topic, event, payload }))
  }

  sendRaw(data: string | Buffer, binary = false): void {
    this.ws.send(data, { binary })
  }

  /** The first received message (from `from` on) that matches. */
  async next(match: (m: ClientMessage) => boolean, timeoutMs = 10_000, from = 0): Promise<ClientMessage> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = this.received.slice(from).find(match)
      if (found) return found
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no matching message within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left)
        this.#waiters.push(() => {
          clearTimeout(timer)
          resolve()
        })
      })
    }
  }

  reply(ref: string): Promise<ClientMessage> {
    return this.next((m) => m.event === 'phx_reply' && m.ref === ref)
  }

  close(): void {
    this.ws.terminate()
  }
}

/**
 * An upgrade the gateway must refuse: its HTTP status and JSON body (fails if the socket opens). `localAddress`
 * (another 127.x address) makes it another caller.
 */
export function refusedUpgrade(
  apiUrl: string,
  query: string,
  localAddress?: string,
): Promise<{ status: number; body: unknown }> {
  const ws = new WebSocket(`${apiUrl.replace(/^http/, 'ws')}/realtime/v1/websocket?${query}`, {
    localAddress,
  })
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let text = ''
      res.on('data', (chunk: Buffer) => (text += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }))
    })
    ws.on('open', () => reject(new Error('the upgrade was accepted')))
    ws.on('error', () => {})
  })
}
