// The payload contract lives in contract/ (shared with the functions, the docs and the SQL tests); this module is
// the package's surface of it, and the import path code outside the client uses.
export * from '../../contract/payloads.ts';
export type { OrderLine as OrderLineBody } from '../../contract/routes.ts';
export { ITEM_STATUSES, type ItemStatus, ORDER_STATUSES, type OrderStatus, STAFF_ROLES, type StaffRole, TABLE_STATUSES, type TableStatus } from '../../contract/status.ts';
export { type ScopeName, SNAPSHOT_KINDS, type TopicKind } from '../../contract/topics.ts';
