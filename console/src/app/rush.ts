import type { PlaterClient } from '../../../client/src/index.ts';

// Rush orders (issue 10 item 2) arrive in two parts: the payload field from the backend and `setRush` in the
// client. Until both are there the console reads the field if present and offers the action only if the
// client has it.
export function isRush(row: object): boolean {
  return (row as { rush?: unknown }).rush === true;
}

type SetRush = (args: { orderId: string; rush: boolean }) => Promise<unknown>;

export function setRushOf(mutations: PlaterClient['mutations']): SetRush | null {
  const setRush = (mutations as { setRush?: SetRush }).setRush;
  return typeof setRush === 'function' ? setRush.bind(mutations) : null;
}
