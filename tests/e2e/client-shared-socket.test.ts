// An app that already has supabase-js passes it as `realtime`: the client's channels ride the app's socket, and
// closing the client leaves that socket and the app's own channels as they were.
import { randomUUID } from 'node:crypto'
import { createClient, type RealtimeChannel, type SupabaseClient } from '@supabase/supabase-js'
import WebSocket from 'ws'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPlaterClient } from '../../client/src/index.ts'
import { buildTopic } from '../../contract/topics.ts'
import { SEED_PASSWORD } from '../helpers/seed.ts'
import { BISTRO, EMAILS, STATIONS, testStack } from './functions-helpers.ts'
import { type Staff, staffClient, waitUntil } from './client-helpers.ts'

const CREW = buildTopic({ kind: 'crew', restaurant: BISTRO })

let app: SupabaseClient
let server: Staff

beforeAll(async () => {
  const { apiUrl, anonKey } = testStack()
  app = createClient(apiUrl, anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    realtime: { transport: WebSocket as never },
  })
  const { error } = await app.auth.signInWithPassword({ email: EMAILS.grill, password: SEED_PASSWORD })
  if (error) throw error
  server = await staffClient(apiUrl, anonKey, EMAILS.ana)
})
afterAll(async () => {
  await server?.plater.close()
  await app?.removeAllChannels()
  await app?.realtime.disconnect()
})

function subscribed(channel: RealtimeChannel): Promise<void> {
  return new Promise((resolve, reject) =>
    channel.subscribe((status, error) => {
      if (status === 'SUBSCRIBED') resolve()
      else reject(new Error(`${channel.topic}: ${status} ${error?.message ?? ''}`))
    })
  )
}

describe("the client on the app's supabase-js socket", () => {
  it(
    "joins its scopes there, and closing it leaves the app's socket and channels alone",
    { timeout: 60_000 },
    async () => {
      const { apiUrl, anonKey } = testStack()
      const accessToken = async () => (await app.auth.getSession()).data.session?.access_token ?? null
      const plater = createPlaterClient({
        supabaseUrl: apiUrl,
        anonKey,
        accessToken,
        storage: null,
        realtime: app,
      })

      await app.realtime.setAuth()
      const heard: unknown[] = []
      const crew = app.channel(CREW, { config: { private: true } })
      crew.on('broadcast', { event: 'notice' }, (message) => heard.push(message.payload))
      await subscribed(crew)

      const kds = plater.open({ scope: 'kds', stationId: STATIONS.grill })
      await kds.ready()
      expect(app.realtime.getChannels().map((channel) => channel.subTopic).sort()).toEqual(
        [CREW, kds.topic].sort(),
      )

      await plater.close()
      expect(app.realtime.getChannels().map((channel) => channel.subTopic)).toEqual([CREW])
      expect(app.realtime.isConnected()).toBe(true)

      // still joined and hearing: a broadcast sent after the close arrives on the app's channel
      const serverCrew = server.plater.open({ scope: 'crew' })
      await serverCrew.ready()
      const text = `after close ${randomUUID()}` // other suites send notices on this restaurant's crew too
      await serverCrew.send('notice', { text })
      await waitUntil(
        () => heard.some((payload) => (payload as { text?: string }).text === text),
        "the broadcast on the app's channel",
      )
      serverCrew.release()
    },
  )
})
