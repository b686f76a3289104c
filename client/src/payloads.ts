// The payload contract lives in contract/payloads.ts (shared with the functions, the docs and the SQL tests);
// this module keeps the client's import path.
export * from '../../contract/payloads.ts';
export type { ItemStatus, OrderStatus, StaffRole, TableStatus } from '../../contract/status.ts';
export type { ScopeName, TopicKind } from '../../contract/topics.ts';
