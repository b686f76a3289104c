import { execFile } from 'node:child_process'
import { copyFileSync, cpSync, mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { promisify } from 'node:util'
import type { PackedClient } from './client-package.ts'

const run = promisify(execFile)

/**
 * npm as an app's developer runs it: in the app's own directory, none of the variables `npm test` passes its
 * scripts (npm_config_*, npm_package_*), which would point a nested npm back at this repository.
 */
export async function npm(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)))
  try {
    const { stdout } = await run('npm', args, { cwd, env: { ...clean, ...env }, maxBuffer: 16 * 1024 * 1024 })
    return stdout
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(`npm ${args.join(' ')} in ${cwd} failed:\n${stdout ?? ''}\n${stderr ?? ''}`)
  }
}

/**
 * A new directory outside this repository with the packed client beside what `from` holds (an example app), so
 * that nothing resolves to the repository's sources or node_modules.
 */
export function appOutside(packed: PackedClient, from?: string): { dir: string; tarball: string } {
  const dir = mkdtempSync(join(tmpdir(), 'plater-app-'))
  if (from) {
    cpSync(from, dir, {
      recursive: true,
      filter: (source) => !/[/\\](node_modules|dist)$|\.tgz$/.test(source),
    })
  }
  const tarball = join(dir, basename(packed.tarball))
  copyFileSync(packed.tarball, tarball)
  return { dir, tarball }
}

/** npm install of what the app's package.json asks for; the registry only for what this machine's cache lacks. */
export async function installApp(dir: string, extra: string[] = []): Promise<void> {
  await npm(dir, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...extra])
}

export function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T
}
