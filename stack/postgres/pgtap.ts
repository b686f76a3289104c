import { copyFileSync, existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** What to tell someone whose machine lacks pgTAP or pg_prove. */
export const PGTAP_INSTALL_HINT = 'install them with `scripts/setup` (as root), which runs ' +
  '`apt-get install postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl`'

const SYSTEM_SHARE = '/usr/share/postgresql'

/** The newest Debian `…/extension` directory that holds pgTAP, if any. */
export function findSystemPgtapDir(): string | undefined {
  if (!existsSync(SYSTEM_SHARE)) return undefined
  const versions = readdirSync(SYSTEM_SHARE)
    .filter((name) => /^\d+$/.test(name))
    .sort((a, b) => Number(b) - Number(a))
  return versions
    .map((version) => join(SYSTEM_SHARE, version, 'extension'))
    .find((dir) => existsSync(join(dir, 'pgtap.control')))
}

export type PgtapInstall = 'installed' | 'not-on-this-machine' | 'extension-dir-read-only'

/**
 * Makes `create extension pgtap` work in the embedded server. Debian's pgTAP is plain SQL, independent of the
 * server version, so its control and script files can be copied into the embedded install's extension directory.
 */
export function installPgtapIntoEmbedded(embeddedExtensionDir: string): PgtapInstall {
  const sourceDir = findSystemPgtapDir()
  if (!sourceDir) return 'not-on-this-machine'
  const files = readdirSync(sourceDir).filter((name) =>
    name === 'pgtap.control' || /^pgtap--.*\.sql$/.test(name)
  )
  try {
    for (const name of files) {
      const source = join(sourceDir, name)
      const target = join(embeddedExtensionDir, name)
      if (existsSync(target) && statSync(target).size === statSync(source).size) continue
      copyFileSync(source, target)
    }
  } catch (error) {
    // node_modules installed by another user (e.g. root) while the stack runs as someone else.
    if (['EACCES', 'EPERM', 'EROFS'].includes((error as NodeJS.ErrnoException).code ?? '')) {
      return 'extension-dir-read-only'
    }
    throw error
  }
  return 'installed'
}
