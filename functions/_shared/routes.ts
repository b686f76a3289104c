// A function's handler made of the contract's route table: each route's method and pattern come from
// @plater/contract/routes.ts, and the compiler insists on a handler for every route of the function.
import { type FunctionName, type RouteName, ROUTES, routesOf } from '@plater/contract/routes.ts'
import { createHandler, type RouteHandler } from './http.ts'

/** The names of the routes served by function F. */
export type RoutesOf<F extends FunctionName> = {
  [R in RouteName]: typeof ROUTES[R]['fn'] extends F ? R : never
}[RouteName]

export function functionHandler<F extends FunctionName>(
  fn: F,
  handlers: { [R in RoutesOf<F>]: RouteHandler },
): (req: Request) => Promise<Response> {
  const byName = handlers as Record<RouteName, RouteHandler>
  return createHandler(
    fn,
    routesOf(fn).map((name) => ({
      method: ROUTES[name].method,
      pattern: ROUTES[name].pattern,
      handler: byName[name],
    })),
  )
}
