import { createServer, type Server } from 'node:net'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { startApiServer } from '../../stack/api/server.ts'
import { createLogger } from '../../stack/log.ts'
import { findFreePorts } from '../../stack/ports.ts'
import { startEmbeddedPostgres } from '../../stack/postgres/cluster.ts'

const log = createLogger('test', 'error')
const cleanups: Array<() => void | Promise<void>> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

async function occupyPort(): Promise<number> {
  const [port] = await findFreePorts('127.0.0.1', 1)
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve))
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return port!
}

describe('a port that is already taken', () => {
  it('makes the Postgres launcher refuse, naming the port and PLATER_DB_PORT, before touching the data dir', async () => {
    const port = await occupyPort()
    const dataDir = mkdtempSync(join(tmpdir(), 'plater-port-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))

    const start = startEmbeddedPostgres({ dataDir, port, log })
    await expect(start).rejects.toThrow(`Postgres port 127.0.0.1:${port} is already in use`)
    await expect(start).rejects.toThrow(/PLATER_DB_PORT/)
    expect(existsSync(join(dataDir, 'pg'))).toBe(false)
  })

  it('makes the API server refuse, naming PLATER_API_PORT', async () => {
    const port = await occupyPort()
    await expect(startApiServer({ host: '127.0.0.1', port, routes: [], log })).rejects.toThrow(
      new RegExp(`API port 127\\.0\\.0\\.1:${port} is already in use.*PLATER_API_PORT`),
    )
  })
})
