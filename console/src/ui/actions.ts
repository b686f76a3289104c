import { useCallback } from 'react';
import { useToasts } from './toasts.tsx';

interface FailedMutation {
  code?: string;
  status?: number;
  message?: string;
}

/** What a refusal means on the line, in words; the code stays in brackets for whoever reads the logs. */
const PLAIN: Record<string, string> = {
  version_conflict: 'someone else changed it first',
  precondition_failed: 'someone else changed it first',
  forbidden: 'your role may not do this',
  not_found: 'it is gone',
  network_error: 'no connection to the kitchen server',
  dependency_rejected: 'an earlier change to it was refused',
};

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
        const reason = (failure.code && PLAIN[failure.code]) ?? failure.message ?? String(error);
        toasts.push({ kind: 'error', text: `Rolled back — ${label}: ${reason}${failure.code ? ` (${failure.code})` : ''}` });
        return false;
      }
    },
    [toasts],
  );
}
