import { useCallback } from 'react';
import { useToasts } from './toasts.tsx';

interface FailedMutation {
  code?: string;
  status?: number;
  message?: string;
}

/**
 * Runs one user action (a client mutation: the view already shows it, marked pending) and, when the server
 * refuses it, says so: the client has rolled the view back, and the cook should know why.
 */
export function useAction(): (label: string, mutation: () => Promise<unknown>) => Promise<boolean> {
  const toasts = useToasts();
  return useCallback(
    async (label, mutation) => {
      try {
        await mutation();
        return true;
      } catch (error) {
        const failure = error as FailedMutation;
        const reason = failure.code ? `${failure.code}: ${failure.message ?? ''}` : String(failure.message ?? error);
        toasts.push({ kind: 'error', text: `Rolled back — ${label} (${reason.trim()})` });
        return false;
      }
    },
    [toasts],
  );
}
