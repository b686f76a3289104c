// Entry of the API process (stack/api/child.ts), forked by the stack's supervisor (stack/api/supervisor.ts). Like
// stack/bin/plater.mjs, tsx compiles the TypeScript in this process.
import { register } from 'tsx/esm/api'

register()
await import('./child.ts')
