// The payload contract lives in contract/ (shared with the functions, the docs and the SQL tests); this module is
// the package's surface of it, and the import path code outside the client uses.
export * from '../../contract/payloads.ts'
export type { OrderLine as OrderLineBody } from '../../contract/routes.ts'
export type { ItemStatus, OrderStatus, StaffRole, TableStatus } from '../../contract/status.ts'
export type { ScopeName, TopicKind } from '../../contract/topics.ts'
