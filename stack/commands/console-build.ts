import { ensureConsoleBuild } from '../../console/build.ts'
import type { Logger } from '../log.ts'

/**
 * The CLI's step before a stack starts: bring console/dist up to date (console/build.ts rebuilds only when its
 * inputs changed), so `plater start` and `plater test` never serve a stale console. The stack itself only serves
 * what is there (stack/api/console.ts). A failed build does not stop the stack: `/` then says the console is not
 * built, and `npm run build:console` shows why.
 */
export async function buildConsoleIfStale(log: Logger): Promise<void> {
  const started = Date.now()
  try {
    if (await ensureConsoleBuild()) {
      log.info(`console built in ${((Date.now() - started) / 1000).toFixed(1)}s`)
    }
  } catch (error) {
    log.error('console build failed; `npm run build:console` shows why', { error })
  }
}
