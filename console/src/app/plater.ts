// PROVISIONAL: the view and mutation shapes of /work/wt/CLIENT_API.md until client/ lands; then this module
// re-exports the client's own types and the screens follow them.
export type ItemStatus = 'held' | 'pending' | 'preparing' | 'ready' | 'served' | 'void';
export type OrderStatus = 'open' | 'ready' | 'served' | 'closed' | 'cancelled';

export interface KdsItem {
  id: string;
  version: number;
  orderId: string;
  table: string;
  course: number;
  name: string;
  qty: number;
  modifiers: string[];
  notes: string | null;
  allergens: string[];
  status: ItemStatus;
  firedAt: string | null;
  startedAt: string | null;
  readyAt: string | null;
  pending: boolean;
}
export interface Ticket {
  orderId: string;
  table: string;
  rush: boolean;
  items: KdsItem[];
  ageMs: number;
  pending: boolean;
}
export interface KdsView {
  tickets: Ticket[];
  allDay: { name: string; qty: number }[];
}

export interface ExpoItem {
  id: string;
  version: number;
  orderId: string;
  stationId: string;
  course: number;
  name: string;
  qty: number;
  status: ItemStatus;
  firedAt: string | null;
  readyAt: string | null;
  pending: boolean;
}
export interface ExpoOrder {
  id: string;
  version: number;
  table: string;
  status: OrderStatus;
  note: string | null;
  createdAt: string;
  rush: boolean;
  items: ExpoItem[];
  stations: { stationId: string; ready: number; total: number }[];
  pending: boolean;
}
export interface ExpoView {
  orders: ExpoOrder[];
}

export interface FloorTable {
  id: string;
  version: number;
  label: string;
  seats: number;
  status: 'free' | 'seated';
  serverId: string | null;
  partySize: number | null;
  seatedAt: string | null;
  pending: boolean;
}
export interface ServerItem {
  id: string;
  version: number;
  orderId: string;
  course: number;
  name: string;
  qty: number;
  modifiers: string[];
  status: ItemStatus;
  pending: boolean;
}
export interface ServerOrder {
  id: string;
  version: number;
  tableId: string;
  table: string;
  status: OrderStatus;
  note: string | null;
  createdAt: string;
  items: ServerItem[];
  pending: boolean;
}
export interface ServerView {
  orders: ServerOrder[];
  tables: FloorTable[];
}
export interface FloorView {
  tables: FloorTable[];
}

export interface SessionInfo {
  user_id: string;
  staff: { user_id: string; restaurant_id: string; role: 'server' | 'cook' | 'expo' | 'manager'; station_id: string | null; display_name: string };
  restaurant: { id: string; name: string };
  stations: { id: string; slug: string; name: string }[];
  scopes: { scope: string; topic: string; station_id?: string; staff_id?: string }[];
}
export interface MenuItem {
  id: string;
  name: string;
  station_id: string;
  price_cents?: number;
  active: boolean;
}

export interface HealthSnapshot {
  status: 'connecting' | 'live' | 'degraded' | 'polling' | 'offline';
  latencyMs: { p50: number; p95: number; p99: number };
  messagesPerSecond: number;
  reconnects: number;
  gapsHealed: number;
  cacheHitRate: number;
  rollbacks: number;
  pendingMutations: number;
  scopes: { topic: string; status: string; seq: number }[];
}
