import type { Page } from 'playwright-core'

/**
 * The page's realtime WebSocket, routed through the test: while held, broadcasts (binary frames in protocol 2.0.0,
 * or JSON with event "broadcast") wait; replies and heartbeats pass, so the socket stays healthy. What a screen
 * shows while held is what a tablet shows a moment before a change reaches it. Set up before the page connects.
 */
export async function routeBroadcasts(page: Page): Promise<{ hold(): void; release(): void }> {
  let holding = false
  const held: Array<() => void> = []
  await page.routeWebSocket(/\/realtime\/v1\/websocket/, (ws) => {
    const gateway = ws.connectToServer()
    gateway.onMessage((message) => {
      const broadcast = typeof message !== 'string' || message.includes('"broadcast"')
      if (holding && broadcast) held.push(() => ws.send(message))
      else ws.send(message)
    })
  })
  return {
    hold: () => {
      holding = true
    },
    release: () => {
      holding = false
      held.splice(0).forEach((send) => send())
    },
  }
}
