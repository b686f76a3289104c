import type { SupabaseClient } from '@supabase/supabase-js';
import { createContext, createElement, type ReactNode, useContext, useMemo } from 'react';

/** Calls one of the project's edge functions as the signed-in user; rejects with the function's own message. */
export type CallFunction = (path: string, body: Record<string, unknown>) => Promise<unknown>;

const FunctionsContext = createContext<CallFunction | null>(null);

export function FunctionsProvider({ auth, children }: { auth: SupabaseClient; children: ReactNode }): ReactNode {
  const call = useMemo<CallFunction>(
    () => async (path, body) => {
      const { data, error } = await auth.functions.invoke(path, { body });
      if (!error) return data;
      const response = (error as { context?: Response }).context;
      const answer = response ? ((await response.json().catch(() => null)) as { message?: string } | null) : null;
      throw new Error(answer?.message ?? error.message);
    },
    [auth],
  );
  return createElement(FunctionsContext.Provider, { value: call }, children);
}

export function useFunctions(): CallFunction {
  const call = useContext(FunctionsContext);
  if (!call) throw new Error('useFunctions outside <FunctionsProvider>');
  return call;
}
