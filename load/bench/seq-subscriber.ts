import WebSocket from 'ws'
import type { Http } from './http/client.ts'
import { REALTIME_SOCKET_PATH } from '../k6/routes.js'

/**
 * A subscriber that must end up with every seq of its topic exactly once, whatever happens to the stack: what the
 * product's client does, reduced to its rules. It applies seq n only after n − 1; a later seq is held back and
 * starts a catch-up (GET /functions/v1/catch-up after the last applied seq); an earlier or repeated one is counted
 * as a duplicate delivery and dropped. When the socket closes it reconnects (backoff with jitter), joins again and
 * catches up. Raw `ws`, vsn 2.0.0, private channel with a staff token.
 */
export class SeqSubscriber {
  /** Last seq applied: everything from the baseline up to it is held, each once (applied strictly in order). */
  applied: number
  duplicates = 0
  fromSocket = 0
  fromCatchUp = 0
  reconnects = 0
  refetches = 0
  catchUpErrors = 0
  ws: WebSocket | undefined
  readonly #pending = new Set<number>()
  #catchingUp: Promise<void> | undefined
  #again = false
  #stopped = false
  #ref = 0
  #heartbeat: NodeJS.Timeout | undefined

  constructor(
    readonly apiUrl: string,
    readonly apikey: string,
    readonly http: Http,
    readonly topic: string,
    readonly token: string,
    readonly baseline: number,
  ) {
    this.applied = baseline
  }

  start(): void {
    this.#connect()
    // Phoenix closes a socket silent for 60 s; like realtime-js, a heartbeat every 25 s (staggered by the random start).
    setTimeout(() => {
      if (this.#stopped) return
      this.#heartbeat = setInterval(() => {
        if (this.ws?.readyState === WebSocket.OPEN) {
          this.ws.send(JSON.stringify([null, String(++this.#ref), 'phoenix', 'heartbeat', {}]))
        }
      }, 25_000)
    }, Math.random() * 25_000)
  }

  stop(): void {
    this.#stopped = true
    clearInterval(this.#heartbeat)
    this.ws?.terminate()
  }

  #connect(): void {
    if (this.#stopped) return
    const ws = new WebSocket(
      `${this.apiUrl.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${this.apikey}&vsn=2.0.0`,
    )
    this.ws = ws
    const ref = String(++this.#ref)
    ws.on('open', () => {
      ws.send(
        JSON.stringify([ref, ref, `realtime:${this.topic}`, 'phx_join', {
          config: { private: true },
          access_token: this.token,
        }]),
      )
    })
    ws.on('message', (data: Buffer, isBinary) => {
      if (isBinary && data[0] === 4) {
        // [4, topic_size, event_size, meta_size, encoding, topic, event, meta, payload]
        const payload = JSON.parse(data.toString('utf8', 5 + data[1]! + data[2]! + data[3]!)) as {
          seq: number
        }
        this.fromSocket++
        this.#receive([payload])
      } else if (!isBinary) {
        const [, replyRef, , event, payload] = JSON.parse(data.toString()) as [
          string,
          string,
          string,
          string,
          { status?: string },
        ]
        if (event === 'phx_reply' && replyRef === ref) {
          if (payload.status === 'ok') void this.catchUp()
          else ws.close()
        }
      }
    })
    ws.on('error', () => {})
    ws.on('close', () => {
      if (this.#stopped || this.ws !== ws) return
      this.reconnects++
      setTimeout(() => this.#connect(), 300 + Math.random() * 700)
    })
  }

  /** Apply what can be applied in order; hold back the rest and fetch what is missing. */
  #receive(events: { seq: number }[]): void {
    let gap = false
    for (const { seq } of events) {
      if (seq <= this.applied || this.#pending.has(seq)) this.duplicates++
      else if (seq === this.applied + 1) {
        this.applied = seq
        while (this.#pending.delete(this.applied + 1)) this.applied++
      } else {
        this.#pending.add(seq)
        gap = true
      }
    }
    if (gap) void this.catchUp()
  }

  /** Pages through the topic log after the last applied seq; one at a time, again if asked meanwhile. */
  catchUp(): Promise<void> {
    if (this.#catchingUp) {
      this.#again = true
      return this.#catchingUp
    }
    this.#catchingUp = (async () => {
      try {
        do {
          this.#again = false
          await this.#fetchPages()
        } while (this.#again && !this.#stopped)
      } finally {
        this.#catchingUp = undefined
      }
    })()
    return this.#catchingUp
  }

  async #fetchPages(): Promise<void> {
    try {
      for (let more = true; more && !this.#stopped;) {
        const answer = await this.http.send(
          'GET',
          `/functions/v1/catch-up?topic=${encodeURIComponent(this.topic)}&after=${this.applied}&limit=1000`,
          { apikey: this.apikey, authorization: `Bearer ${this.token}` },
        )
        if (answer.status === 410) {
          this.refetches++
          return
        }
        if (answer.status !== 200) throw new Error(`catch-up: ${answer.status}`)
        const page = JSON.parse(answer.body) as { events: { payload: { seq: number } }[]; more: boolean }
        this.fromCatchUp += page.events.length
        this.#receive(page.events.map((e) => e.payload))
        more = page.more
      }
    } catch {
      // The stack is down or restarting: the rejoin after the reconnect (or the next gap) tries again.
      this.catchUpErrors++
    }
  }
}
