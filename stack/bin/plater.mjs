#!/usr/bin/env node
// The `plater` CLI. The stack is TypeScript; tsx compiles it on the fly in this same process (no build step, and
// signals such as Ctrl-C reach the stack directly).
import { register } from 'tsx/esm/api'

register()
const { run } = await import('../cli.ts')
await run(process.argv.slice(2))
