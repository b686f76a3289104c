import WebSocket from 'ws'
import { clientDecode, clientTextPush } from '../../../stack/testing/index.ts'
import { REALTIME_SOCKET_PATH } from '../../k6/routes.js'

export interface FloodCounts {
  sent: number
  ok: number
  refused: number
  disconnects: number
}

/** One flooding socket, reconnecting whenever it is closed, until `stop()`. */
export function flooder(
  url: string,
  apikey: string,
  perSecond: number,
  counts: FloodCounts,
  index: number,
): () => void {
  let stopped = false
  let ws: WebSocket | null = null
  let ref = 0
  const connect = () => {
    if (stopped) return
    const socket = new WebSocket(
      `${url.replace(/^http/, 'ws')}${REALTIME_SOCKET_PATH}?apikey=${apikey}&vsn=2.0.0`,
    )
    ws = socket
    socket.on('message', (data: Buffer, isBinary: boolean) => {
      const message = clientDecode('2.0.0', data, isBinary)
      if (message.event !== 'phx_reply' || !message.ref?.startsWith('j')) return
      if (message.payload.status === 'ok') counts.ok++
      else counts.refused++
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      if (stopped) return
      counts.disconnects++
      connect()
    })
  }
  connect()
  // Every 10 ms, as many joins as the time since the last step is worth (a late timer does not lower the rate;
  // joins falling due while the socket reconnects are sent once it is open).
  let due = 0
  let last = performance.now()
  const timer = setInterval(() => {
    const now = performance.now()
    due += (perSecond * (now - last)) / 1000
    last = now
    if (ws?.readyState !== WebSocket.OPEN) return
    for (; due >= 1; due--) {
      const topic = `realtime:flood-${index}-${ref % 50}`
      const n = String(++ref)
      ws.send(
        clientTextPush('2.0.0', {
          join_ref: n,
          ref: `j${n}`,
          topic,
          event: 'phx_join',
          payload: { config: { private: false } },
        }),
      )
      ws.send(clientTextPush('2.0.0', { join_ref: n, ref: `l${n}`, topic, event: 'phx_leave', payload: {} }))
      counts.sent++
    }
  }, 10)
  return () => {
    stopped = true
    clearInterval(timer)
    ws?.terminate()
  }
}
