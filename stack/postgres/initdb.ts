import { chownSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { runCapturedOrThrow } from '../captured-run.ts'
import { EMBEDDED_DB } from '../config.ts'
import type { Logger } from '../log.ts'
import { assertAccessibleAs, type OsIdentity } from './os-user.ts'

export function isInitialised(pgDataDir: string): boolean {
  return existsSync(join(pgDataDir, 'PG_VERSION'))
}

/**
 * Creates the cluster in a scratch directory and renames it into place, so an interrupted initdb never leaves a
 * half-made `pg/` that later starts would mistake for a cluster.
 */
export async function initialiseCluster(
  initdbBin: string,
  pgDataDir: string,
  identity: OsIdentity | undefined,
  log: Logger,
): Promise<void> {
  const scratch = `${pgDataDir}.init`
  rmSync(scratch, { recursive: true, force: true })
  mkdirSync(dirname(scratch), { recursive: true })
  mkdirSync(scratch, { mode: 0o700 })
  const pwDir = mkdtempSync(join(tmpdir(), 'plater-initdb-'))
  const pwFile = join(pwDir, 'pw')
  writeFileSync(pwFile, `${EMBEDDED_DB.password}\n`, { mode: 0o600 })
  if (identity) {
    for (const path of [scratch, pwDir, pwFile]) chownSync(path, identity.uid, identity.gid)
    assertAccessibleAs(identity, scratch, '-w', 'write to')
  }
  log.info(`initialising a new cluster in ${pgDataDir}`)
  try {
    await runCapturedOrThrow(
      'initdb',
      initdbBin,
      [
        `--pgdata=${scratch}`,
        `--username=${EMBEDDED_DB.user}`,
        `--pwfile=${pwFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The builtin provider (PG 17) gives Unicode-aware C.UTF-8 semantics without depending on OS locales.
        '--locale=C',
        '--locale-provider=builtin',
        '--builtin-locale=C.UTF-8',
      ],
      { ...identity },
    )
    renameSync(scratch, pgDataDir)
  } finally {
    rmSync(pwDir, { recursive: true, force: true })
    rmSync(scratch, { recursive: true, force: true })
  }
}
