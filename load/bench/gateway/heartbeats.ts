import WebSocket from 'ws'

const HEARTBEAT_EVERY_S = 25

/**
 * Phoenix heartbeats for benchmark sockets: every socket every 25 s like realtime-js (Phoenix drops a socket
 * after 60 s without a frame), staggered over the period (1/25 of them each second) as clients that connected
 * at different times would be. Thousands of heartbeats in one burst stall the gateway for a few hundred ms and
 * measure the harness, not a service. Returns the function that stops them.
 */
export function staggeredHeartbeats(sockets: readonly WebSocket[]): () => void {
  let ref = 0
  let slot = 0
  const timer = setInterval(() => {
    const current = slot++ % HEARTBEAT_EVERY_S
    for (let i = current; i < sockets.length; i += HEARTBEAT_EVERY_S) {
      const ws = sockets[i] // a socket still connecting may not be in place yet
      if (ws?.readyState === WebSocket.OPEN) {
        ws.send(JSON.stringify([null, `hb${ref++}`, 'phoenix', 'heartbeat', {}]))
      }
    }
  }, 1_000)
  return () => clearInterval(timer)
}
