// CORS as every service answers it: any origin may read the answer (the functions, and the local stack like
// Supabase's API gateway, are open to browsers), and a preflight's answer may be cached for a day.

export const CORS_ORIGIN = { 'access-control-allow-origin': '*' } as const

/** The answer headers of a CORS preflight for a service that takes `methods` and request headers `headers`. */
export function preflightHeaders(
  methods: readonly string[],
  headers: readonly string[],
): Record<string, string> {
  return {
    ...CORS_ORIGIN,
    'access-control-allow-methods': [...methods, 'OPTIONS'].join(', '),
    'access-control-allow-headers': headers.join(', '),
    'access-control-max-age': '86400',
  }
}
