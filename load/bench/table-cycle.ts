import type { Sql } from 'postgres'

/**
 * One table's service through the write RPCs — seat, order of two dishes, start ×2, finish ×2, serve, clear — as
 * the service benchmark drives it at a rate and write-cost measures it step by step, so both time the same work.
 */
export const CYCLE_STEPS = [
  'seat_table',
  'place_order',
  'start_item',
  'start_item',
  'finish_item',
  'finish_item',
  'mark_served',
  'clear_table',
] as const

export interface CycleTable {
  readonly id: string
  /** The server who seats, orders, serves and clears. */
  readonly server: string
  /** Menu item ids of the next order's two dishes. */
  nextDishes(): [string, string]
  /** The cook of a station. */
  cookAt(stationId: string): string
  order?: string
  items?: { id: string; cook: string }[]
}

/** Runs an RPC's `select … as result` as a staff member and returns its result. */
export type ActAs = <T>(user: string, statement: string) => Promise<T>

/**
 * One Query message per call (its own implicit transaction, one round trip), as functions/_shared/db.ts sends
 * them: the caller's settings, LOCAL to the transaction, then the RPC. Literals are uuids and JSON we built.
 */
export function actingAs(sql: Sql): ActAs {
  return async <T>(user: string, statement: string): Promise<T> => {
    const claims = JSON.stringify({ sub: user, role: 'authenticated' })
    const sets = (await sql.unsafe(
      `select set_config('role', 'authenticated', true), set_config('request.jwt.claims', '${claims}', true), set_config('request.jwt.claim.sub', '${user}', true);\n${statement}`,
    )) as unknown as { result: T }[][]
    return sets[sets.length - 1]![0]!.result
  }
}

/** Step `step` (an index into CYCLE_STEPS) of the table's cycle. */
export async function runCycleStep(as: ActAs, t: CycleTable, step: number): Promise<void> {
  switch (CYCLE_STEPS[step]) {
    case 'seat_table':
      await as(t.server, `select public.seat_table('${t.id}', 2) as result`)
      break
    case 'place_order': {
      const items = t.nextDishes().map((id) => ({
        menu_item_id: id,
        qty: 1,
        modifiers: ['no salt'],
        notes: 'bench',
      }))
      const placed = await as<{ order: { id: string }; items: { id: string; station_id: string }[] }>(
        t.server,
        `select public.place_order('${t.id}', '${JSON.stringify(items)}'::jsonb) as result`,
      )
      t.order = placed.order.id
      t.items = placed.items.map((i) => ({ id: i.id, cook: t.cookAt(i.station_id) }))
      break
    }
    case 'start_item': {
      const item = t.items![step - CYCLE_STEPS.indexOf('start_item')]!
      await as(item.cook, `select public.start_item('${item.id}') as result`)
      break
    }
    case 'finish_item': {
      const item = t.items![step - CYCLE_STEPS.indexOf('finish_item')]!
      await as(item.cook, `select public.finish_item('${item.id}') as result`)
      break
    }
    case 'mark_served':
      await as(t.server, `select public.mark_served('${t.order!}') as result`)
      break
    default:
      await as(t.server, `select public.clear_table('${t.id}') as result`)
  }
}
