import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import type { Sql } from 'postgres'
import { cycleRequest, DEMO, demoScreens, demoTable, demoTopics, TABLE_CYCLE } from '../k6/scenarios.js'
import { Http, signIn } from './http/client.ts'
import type { StackEndpoints } from './stack.ts'

/**
 * Service in the seeded demo bistro through /functions/v1, as its staff do it (the shared definitions in
 * load/k6/scenarios.js: its screens, topics and table cycles): staff signed in, their screens, and table cycles
 * over its free tables.
 */
export class DemoBistro {
  private constructor(
    readonly http: Http,
    readonly stack: StackEndpoints,
    /** Access tokens by email. */
    readonly tokens: Record<string, string>,
  ) {}

  static async open(stack: StackEndpoints): Promise<DemoBistro> {
    const http = new Http(stack.apiUrl)
    const tokens: Record<string, string> = {}
    for (const email of Object.keys(DEMO.ids)) tokens[email] = await signIn(http, stack.anonKey, email)
    return new DemoBistro(http, stack, tokens)
  }

  /** Each role's screen: the topics it holds, with that staff member's token. */
  screens(): { role: string; token: string; topics: string[] }[] {
    return demoScreens().map((screen) => ({ ...screen, token: this.tokens[screen.email]! }))
  }

  /** Every topic the bistro's writes publish to, with a token allowed to read it (the manager's). */
  allTopics(): { topic: string; token: string }[] {
    return demoTopics().map((topic) => ({ topic, token: this.tokens[DEMO.staff.manager]! }))
  }

  /** Cycles for up to `limit` of the bistro's tables that are free now. */
  async freeTableCycles(sql: Sql, limit: number): Promise<TableCycle[]> {
    const free = new Set(
      (await sql<
        { id: string }[]
      >`select id from public.dining_tables where id = any(${DEMO.tables}::uuid[]) and status = 'free'`).map((
        row,
      ) => row.id),
    )
    return DEMO.tables
      .flatMap((id, n) => (free.has(id) ? [new TableCycle(this, n)] : []))
      .slice(0, limit)
  }

  close(): void {
    this.http.close()
  }
}

/** One table going round TABLE_CYCLE, one step at a time. */
export class TableCycle {
  step = 0
  busy = false
  readonly plan: ReturnType<typeof demoTable>
  #order: string | undefined
  #items: string[] = []

  constructor(
    readonly bistro: DemoBistro,
    n: number,
  ) {
    this.plan = demoTable(n)
  }

  /**
   * Runs the next step. `retryFor` ms: a failed attempt (the stack restarting, say) is sent again with the same
   * Idempotency-Key, so a step that did commit is answered from the stored result and never applies twice.
   * Returns the attempts it took; throws the last error after `retryFor`.
   */
  async advance(retryFor = 0): Promise<number> {
    const step = TABLE_CYCLE[this.step]!
    const request = cycleRequest(step.step, {
      table: this.plan.table,
      order: this.#order,
      item: step.item === undefined ? undefined : this.#items[step.item],
      items: this.plan.dishes.map((d) => d.id),
    })
    const headers = {
      apikey: this.bistro.stack.anonKey,
      authorization: `Bearer ${this.bistro.tokens[this.plan.actor(step)]!}`,
      'idempotency-key': randomUUID(),
    }
    const deadline = performance.now() + retryFor
    for (let attempt = 1;; attempt++) {
      const answer = await this.bistro.http.send(
        'POST',
        `/functions/v1/${request.path}`,
        headers,
        request.body,
      ).catch((error: Error) => error)
      if (!(answer instanceof Error) && answer.status < 300) {
        if (step.step === 'place') {
          const placed = JSON.parse(answer.body) as {
            order: { id: string }
            items: { id: string; menu_item_id: string }[]
          }
          this.#order = placed.order.id
          this.#items = this.plan.dishes.map((d) => placed.items.find((i) => i.menu_item_id === d.id)!.id)
        }
        this.step = (this.step + 1) % TABLE_CYCLE.length
        return attempt
      }
      // No answer, a 5xx, or 409 (the first attempt with this key still in flight) may succeed when sent again.
      const retryable = answer instanceof Error || answer.status >= 500 || answer.status === 409
      const failure = answer instanceof Error
        ? answer.message
        : `${answer.status} ${answer.body.slice(0, 200)}`
      if (!retryable || performance.now() > deadline) throw new Error(`${step.step}: ${failure}`)
      await sleep(250)
    }
  }
}
