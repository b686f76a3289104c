// Settings from environment variables, read one way everywhere (the stack, the gateway, the functions, the client):
// an unset or empty variable takes its default, and a value the setting cannot take is refused with an error that
// names the variable, says what it allows and shows what it got, before anything starts. Web-standard only: Node
// passes `process.env`, Deno `Deno.env.toObject()`, and the client imports it.

export type Env = Readonly<Record<string, string | undefined>>

/** What a variable may hold: the words for the error, and the parser (undefined: not a value it allows). */
export interface EnvKind<T> {
  readonly allowed: string
  parse(text: string): T | undefined
}

export const text: EnvKind<string> = { allowed: 'any text', parse: (value) => value }

export const port: EnvKind<number> = {
  allowed: 'a port number (1-65535)',
  parse: (value) => wholeNumber(value, 1, 65_535),
}

export const positiveInteger: EnvKind<number> = {
  allowed: 'a positive integer',
  parse: (value) => wholeNumber(value, 1, Number.MAX_SAFE_INTEGER),
}

export const nonNegativeNumber: EnvKind<number> = {
  allowed: 'a non-negative number',
  parse(value) {
    const number = Number(value)
    return Number.isFinite(number) && number >= 0 ? number : undefined
  },
}

/** A Unix scheduling priority (setpriority(2)): lower runs first; below 0 needs privilege. */
export const niceValue: EnvKind<number> = {
  allowed: 'a nice value, an integer from -20 to 19',
  parse: (value) => wholeNumber(value, -20, 19),
}

export function oneOf<const T extends string>(values: readonly T[]): EnvKind<T> {
  return {
    allowed: `one of ${values.join(', ')}`,
    parse: (value) => (values as readonly string[]).includes(value) ? (value as T) : undefined,
  }
}

function wholeNumber(value: string, min: number, max: number): number | undefined {
  const number = Number(value)
  return Number.isInteger(number) && number >= min && number <= max ? number : undefined
}

/**
 * The value of the first of `names` that is set (a setting may answer to older names after its own), parsed as
 * `kind`; `fallback` when none is set. Throws when the value is not one `kind` allows.
 */
export function readEnv<T>(env: Env, names: string | readonly string[], kind: EnvKind<T>): T | undefined
export function readEnv<T, F>(
  env: Env,
  names: string | readonly string[],
  kind: EnvKind<T>,
  fallback: F,
): T | F
export function readEnv<T, F>(
  env: Env,
  names: string | readonly string[],
  kind: EnvKind<T>,
  fallback?: F,
): T | F | undefined {
  for (const name of [names].flat()) {
    const value = env[name]
    if (!value) continue // unset or empty
    const parsed = kind.parse(value)
    if (parsed === undefined) throw new Error(`${name} must be ${kind.allowed}, got "${value}"`)
    return parsed
  }
  return fallback
}

/** As `readEnv`, for a setting that has no default. */
export function requireEnv<T>(env: Env, name: string, kind: EnvKind<T>): T {
  const value = readEnv(env, name, kind)
  if (value === undefined) throw new Error(`${name} is not set; it takes ${kind.allowed}`)
  return value
}
