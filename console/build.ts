import { createHash } from 'node:crypto'
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runCapturedOrThrow } from '../stack/captured-run.ts'

/**
 * Builds the console (Vite) into `console/dist`, and knows whether the build there is current: the build
 * records a hash of every input (the console's sources, the contract and the client library it bundles), so `plater start`
 * and `plater test` rebuild only when something changed — a check that reads a few hundred KB.
 *
 *   npm run build:console            always builds
 *   ensureConsoleBuild()             builds if missing or stale (`plater start` / `plater test` call this first)
 */
export const consoleDir = dirname(fileURLToPath(import.meta.url))
export const consoleDist = join(consoleDir, 'dist')
const repoRoot = dirname(consoleDir)
const STAMP = 'build-info.json'

// What the bundle is made of. node_modules is pinned by package-lock.json, which stands for it.
const INPUTS = [
  'console/src',
  'console/index.html',
  'console/vite.config.ts',
  'contract',
  'client/src',
  'client/package.json',
  'package-lock.json',
]

function listFiles(path: string): string[] {
  if (!existsSync(path)) return []
  if (!statSync(path).isDirectory()) return [path]
  return readdirSync(path, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => listFiles(join(path, entry.name)))
}

export function consoleInputsHash(): string {
  const hash = createHash('sha256')
  for (const file of INPUTS.flatMap((input) => listFiles(join(repoRoot, input)))) {
    hash.update(relative(repoRoot, file)).update('\0').update(readFileSync(file)).update('\0')
  }
  return hash.digest('hex')
}

function builtHash(): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(consoleDist, STAMP), 'utf8')) as { inputs?: string }).inputs
  } catch {
    return undefined
  }
}

export function isConsoleBuildCurrent(): boolean {
  return builtHash() === consoleInputsHash()
}

/**
 * Runs `vite build` in a child process (Vite stays out of the stack's memory) into a private directory,
 * then swaps it in, so a reader never sees half a build and two builders never write into one directory.
 */
export async function buildConsole(): Promise<void> {
  const inputs = consoleInputsHash()
  const outDir = join(consoleDir, `.dist-${process.pid}`)
  const vite = join(repoRoot, 'node_modules', '.bin', 'vite')
  try {
    const output = await runCapturedOrThrow('vite build', vite, [
      'build',
      consoleDir,
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ], { cwd: repoRoot })
    writeFileSync(join(outDir, STAMP), `${JSON.stringify({ inputs, builtAt: new Date().toISOString() })}\n`)
    rmSync(consoleDist, { recursive: true, force: true })
    renameSync(outDir, consoleDist)
    if (output.trim()) process.stderr.write(output)
  } finally {
    rmSync(outDir, { recursive: true, force: true })
  }
}

/** Builds when the build is missing or stale; answers whether it built. */
export async function ensureConsoleBuild(): Promise<boolean> {
  if (isConsoleBuildCurrent()) return false
  await buildConsole()
  return true
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now()
  await buildConsole()
  console.log(
    `console built into ${relative(process.cwd(), consoleDist) || '.'} in ${
      ((Date.now() - started) / 1000).toFixed(1)
    }s`,
  )
}
