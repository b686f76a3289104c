import { useCallback } from 'react';
import { useMutations } from '../../app/live.ts';
import { useAction } from '../../ui/actions.ts';
import { useToasts } from '../../ui/toasts.tsx';

const UNDO_MS = 6000;

/**
 * Marks or unmarks an order rush at once (every station re-sorts), and offers an undo for a few seconds:
 * a mis-tap on a busy pass should cost one more tap, not a walk to every station.
 */
export function useRush(): (order: { id: string; table: string; rush: boolean }) => void {
  const mutations = useMutations();
  const act = useAction();
  const toasts = useToasts();
  return useCallback(
    (order) => {
      const rush = !order.rush;
      const label = `${rush ? 'rush' : 'unrush'} ${order.table}`;
      const offer = toasts.push({
        kind: 'info',
        text: rush ? `${order.table} is rush` : `${order.table} is no longer rush`,
        ttlMs: UNDO_MS,
        action: { label: 'Undo', run: () => void act(`undo ${label}`, () => mutations.setRush({ orderId: order.id, rush: !rush })) },
      });
      void act(label, () => mutations.setRush({ orderId: order.id, rush })).then((applied) => applied || toasts.dismiss(offer));
    },
    [act, mutations, toasts],
  );
}
