import { useCallback } from 'react'
import { describeRefusal } from './refusals.ts'
import { useToasts } from './toasts.tsx'

/**
 * Runs one user action (a client mutation: the view already shows it, marked pending) and, when the server
 * refuses it, says so (in the words of ./refusals.ts): the client has rolled the view back, and the cook should
 * know why.
 */
export function useAction(): (label: string, mutation: () => Promise<unknown>) => Promise<boolean> {
  const toasts = useToasts()
  return useCallback(
    async (label, mutation) => {
      try {
        await mutation()
        return true
      } catch (error) {
        toasts.push({ kind: 'error', text: describeRefusal(label, error) })
        return false
      }
    },
    [toasts],
  )
}
