// The zod-free contract, for any runtime (the client, the console, the stack, k6). The request schemas
// (requests.ts, order-line.ts, fields.ts) import zod and are imported by path where needed.
export * from './errors.ts'
export * from './payloads.ts'
export * from './presence.ts'
export * from './routes.ts'
export * from './status.ts'
export * from './topics.ts'
