import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../../stack/config.ts'

const SRC = join(repoRoot, 'console/src')
/** The console's data layer: the only place that talks to Supabase, the client library or the network. */
const DATA_LAYER = 'app/'

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : /\.tsx?$/.test(entry.name)
      ? [join(dir, entry.name)]
      : []
  )
}

/** What a file outside the data layer must not do: import supabase-js or the client library, or call the network. */
const REACHES_DATA = [
  /from '@supabase\//,
  /from 'plater-realtime(\/[^']*)?'/,
  /\bfetch\(/,
  /\bnew WebSocket\(/,
]

describe("the console's screens reach data only through its data layer (console/src/app)", () => {
  it('no screen or ui module imports supabase-js or plater-realtime, or calls fetch', () => {
    const files = sources(SRC).filter((file) => !relative(SRC, file).startsWith(DATA_LAYER))
    // the walk found the screens
    expect(files.map((file) => relative(SRC, file))).toContain('screens/monitor/MonitorScreen.tsx')
    const reaching = files.flatMap((file) => {
      const text = readFileSync(file, 'utf8')
      return REACHES_DATA.filter((pattern) => pattern.test(text)).map((pattern) =>
        `${relative(SRC, file)}: ${pattern}`
      )
    })
    expect(reaching).toEqual([])
  })
})
