import { readFileSync } from 'node:fs'

/**
 * The process's open-files limit. Every socket holds a descriptor, so the connection caps (connections.ts) must
 * sit far below it. Node has no setrlimit: the soft limit cannot be raised from inside the process, only by the
 * shell that starts it (`ulimit -n "$(ulimit -Hn)"`), so the gateway reports it and warns when it is low.
 */
export interface DescriptorLimit {
  readonly soft: number
  readonly hard: number
}

/** From /proc/self/limits (Linux); null elsewhere or when unlimited. */
export function descriptorLimit(): DescriptorLimit | null {
  let text: string
  try {
    text = readFileSync('/proc/self/limits', 'utf8')
  } catch {
    return null
  }
  const match = /^Max open files\s+(\d+)\s+(\d+)/m.exec(text)
  return match ? { soft: Number(match[1]), hard: Number(match[2]) } : null
}

/** What an operator should hear about the limit, given the caps; null when nothing is amiss. */
export function descriptorWarning(
  limit: DescriptorLimit | null,
  caps: { readonly maxConnectionsPerKey: number },
): string | null {
  if (limit === null) return null
  const raise = `start the stack after \`ulimit -n ${limit.hard}\` (Node cannot raise its own limit)`
  if (limit.soft < caps.maxConnectionsPerKey * 2) {
    return `open files limit ${limit.soft} leaves little room above ${caps.maxConnectionsPerKey} sockets per API key: ${raise}`
  }
  if (limit.soft < limit.hard) {
    return `open files soft limit ${limit.soft} is below the hard limit ${limit.hard}: ${raise}`
  }
  return null
}
