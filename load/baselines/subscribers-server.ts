import { createServer } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import { type WebSocket, WebSocketServer } from 'ws'
import { endWithHarness } from '../bench/server-lifetime.ts'

/**
 * The least a baseline server needs to serve the fan-out harness's subscribers: a `ws` server that answers every
 * Phoenix `phx_join` with `ok` (no authorization — which is the point of a baseline) and heartbeats with a reply,
 * and keeps the open WebSockets with their TCP sockets (for a baseline that writes pre-framed bytes itself).
 * Prints `{"url", "pid"}` once listening, like load/bench/gateway/serve.ts, and exits on SIGTERM or when the harness
 * is gone (load/bench/server-lifetime.ts).
 */
export function listenForSubscribers(onClose: () => Promise<void> | void = () => {}): Map<WebSocket, Socket> {
  const clients = new Map<WebSocket, Socket>()
  const server = createServer((_req, res) => res.writeHead(404).end())
  const wss = new WebSocketServer({ server })
  wss.on('connection', (ws, request) => {
    clients.set(ws, request.socket as Socket)
    ws.on('close', () => clients.delete(ws))
    ws.on('error', () => clients.delete(ws))
    ws.on('message', (data, isBinary) => {
      if (isBinary) return
      const [joinRef, ref, topic, event] = JSON.parse(data.toString()) as [
        string | null,
        string,
        string,
        string,
      ]
      if (event === 'phx_join' || event === 'heartbeat') {
        ws.send(JSON.stringify([joinRef, ref, topic, 'phx_reply', { status: 'ok', response: {} }]))
      }
    })
  })
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as AddressInfo
    console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid }))
  })
  endWithHarness(async () => {
    await onClose()
    for (const ws of clients.keys()) ws.terminate()
    await new Promise((resolve) => server.close(resolve))
  })
  return clients
}
