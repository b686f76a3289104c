/** A command's options as node:util parseArgs read them (defaults applied). */
export type ParsedValues = Record<string, string | boolean | (string | boolean)[] | undefined>

/** A command line `plater` cannot act on (unknown option, missing or bad value): exit 2 with the usage. */
export class UsageError extends Error {
  override name = 'UsageError'
}
