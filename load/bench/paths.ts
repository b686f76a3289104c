import { fileURLToPath } from 'node:url'
import { join } from 'node:path'

/** The repository (the harness spawns `plater` and its own scripts from there) and where run records are kept. */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
export const RESULTS_DIR = join(repoRoot, 'load', 'results')

/**
 * How the harness runs a TypeScript script of its own in a child process or worker: through tsx, with the client
 * library (`plater-realtime`) read from its sources, as `npm run bench` itself runs.
 */
export const TSX_NODE_ARGS = ['--conditions=plater-source', '--import', 'tsx']
