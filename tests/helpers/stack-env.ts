/**
 * The private stack `plater test` starts for the suites, as the stack contract passes it (PLATER_* variables).
 * Running vitest directly, without `npm test`, fails here with a message saying so.
 */
export interface TestStack {
  apiUrl: string
  dbUrl: string
  anonKey: string
  serviceRoleKey: string
  jwtSecret: string
  publishableKey: string
  secretKey: string
}

function required(name: string): string {
  const value = process.env[name]
  if (!value) {
    throw new Error(`${name} is not set: run the suites with \`npm test\`, which starts a stack for them`)
  }
  return value
}

export function testStack(): TestStack {
  return {
    apiUrl: required('PLATER_API_URL'),
    dbUrl: required('PLATER_DB_URL'),
    anonKey: required('PLATER_ANON_KEY'),
    serviceRoleKey: required('PLATER_SERVICE_ROLE_KEY'),
    jwtSecret: required('PLATER_JWT_SECRET'),
    publishableKey: required('PLATER_PUBLISHABLE_KEY'),
    secretKey: required('PLATER_SECRET_KEY'),
  }
}
