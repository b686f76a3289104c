import type { SupabaseClient } from '@supabase/supabase-js'
import { createContext, createElement, type ReactNode, useContext, useMemo } from 'react'
import { type RouteAnswers, type RouteBodies, type RouteParams, routePath } from '../../../contract/routes.ts'

/** The routes the console calls itself (the client library calls the others): the presence identity's. */
export type ConsoleRoute = 'presenceClaim' | 'presenceVerify'
/** Neither takes a path parameter. */
const NO_PARAMS = {} as RouteParams<ConsoleRoute>

/** Calls one of the project's edge functions as the signed-in user; rejects with the function's own message. */
export type CallFunction = <R extends ConsoleRoute>(
  route: R,
  body: RouteBodies[R],
) => Promise<RouteAnswers[R]>

const FunctionsContext = createContext<CallFunction | null>(null)

export function FunctionsProvider(
  { auth, children }: { auth: SupabaseClient; children: ReactNode },
): ReactNode {
  const call = useMemo<CallFunction>(
    () => async (route, body) => {
      const { data, error } = await auth.functions.invoke(routePath<ConsoleRoute>(route, NO_PARAMS), { body })
      if (!error) return data
      const response = (error as { context?: Response }).context
      const answer = response
        ? ((await response.json().catch(() => null)) as { message?: string } | null)
        : null
      throw new Error(answer?.message ?? error.message)
    },
    [auth],
  )
  return createElement(FunctionsContext.Provider, { value: call }, children)
}

export function useFunctions(): CallFunction {
  const call = useContext(FunctionsContext)
  if (!call) throw new Error('useFunctions outside <FunctionsProvider>')
  return call
}
