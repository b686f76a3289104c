/**
 * How the line tells orders apart: two orders of one table (a second round, a split) must not look alike, so
 * every ticket and card carries the start of the order's id, as the KDS and expo both print it.
 */
export function orderNumber(orderId: string): string {
  return `#${orderId.slice(0, 4)}`
}

/** "Ana · 4 guests": who took the order and for how many, when the payload says. */
export function orderPeople(order: { server_name: string | null; guests: number | null }): string {
  const guests = order.guests === null ? null : `${order.guests} ${order.guests === 1 ? 'guest' : 'guests'}`
  return [order.server_name, guests].filter(Boolean).join(' · ')
}
