// What the client package adds to a browser app, bundled as an app's bundler would (esbuild, minified, the
// package resolved by name from its build) and gzipped, against budgets that keep it slim: an app that already has
// supabase-js for auth should add little more than the library's own code.
import { gzipSync } from 'node:zlib'
import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'

const KB = 1000
// sharedSupabase holds the contract's route table the client builds its requests with (docs/decisions.md,
// "The client takes its routes, topics and moves from contract/").
const BUDGET = { standalone: 35 * KB, sharedSupabase: 15.7 * KB, react: 3 * KB }

const OPTIONS = `{ supabaseUrl: location.origin, anonKey: 'anon', accessToken: async () => null }`
/** Apps, each a module the bundler starts from. */
const APP = {
  supabaseOnly: `import { createClient } from '@supabase/supabase-js';
    export const supabase = createClient(location.origin, 'anon');`,
  standalone: `import { createPlaterClient } from 'plater-realtime';
    export const plater = createPlaterClient(${OPTIONS});`,
  sharedSupabase: `import { createClient } from '@supabase/supabase-js';
    import { createPlaterClient } from 'plater-realtime';
    export const supabase = createClient(location.origin, 'anon');
    export const plater = createPlaterClient({ ...${OPTIONS}, realtime: supabase });`,
  standaloneReact: `import { createPlaterClient } from 'plater-realtime';
    export * from 'plater-realtime/react';
    export const plater = createPlaterClient(${OPTIONS});`,
}

interface Size {
  bytes: number
  gzip: number
}

/** The app's bundle; React is the app's own, so it is left out of every bundle alike. */
async function bundle(app: string): Promise<Size> {
  const result = await build({
    stdin: { contents: app, resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    external: ['react'],
    write: false,
    logLevel: 'silent',
  })
  const code = result.outputFiles[0]!.contents
  return { bytes: code.length, gzip: gzipSync(code, { level: 9 }).length }
}

const kb = (n: number) => `${(n / KB).toFixed(1)} KB`

describe('the client package in a browser bundle', () => {
  it("stays within its budgets: standalone, sharing the app's supabase-js, and the React entry", {
    timeout: 60_000,
  }, async () => {
    const [supabaseOnly, standalone, sharedSupabase, standaloneReact] = await Promise.all(
      [APP.supabaseOnly, APP.standalone, APP.sharedSupabase, APP.standaloneReact].map(bundle),
    )
    const added = {
      standalone: standalone!.gzip,
      sharedSupabase: sharedSupabase!.gzip - supabaseOnly!.gzip,
      react: standaloneReact!.gzip - standalone!.gzip,
    }
    console.log(
      [
        'plater-realtime in a browser bundle (esbuild, minified; gzip -9):',
        `  standalone:                     ${kb(standalone!.bytes)} / ${kb(added.standalone)} gzip (budget ${
          kb(BUDGET.standalone)
        })`,
        `  app with supabase-js:           ${kb(supabaseOnly!.bytes)} / ${
          kb(supabaseOnly!.gzip)
        } gzip without it, ` +
        `${kb(sharedSupabase!.bytes)} / ${kb(sharedSupabase!.gzip)} gzip with it: adds ${
          kb(added.sharedSupabase)
        } gzip (budget ${kb(BUDGET.sharedSupabase)})`,
        `  the React entry adds:           ${kb(standaloneReact!.bytes - standalone!.bytes)} / ${
          kb(added.react)
        } gzip (budget ${kb(BUDGET.react)})`,
      ].join('\n'),
    )
    expect(added.standalone).toBeLessThanOrEqual(BUDGET.standalone)
    expect(added.sharedSupabase).toBeLessThanOrEqual(BUDGET.sharedSupabase)
    expect(added.react).toBeLessThanOrEqual(BUDGET.react)
  })
})
