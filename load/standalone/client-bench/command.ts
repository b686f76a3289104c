// The client library's own figures: heap per client with five scopes open, the change rate one client
// absorbs without falling behind, and the time from a cut connection to live again with every gap healed, for
// 1 and for 500 clients at once (under the gateway's default join limit). Appends one record to load/results/.
//
//   node --expose-gc --conditions=plater-source --import tsx load/standalone/client-bench/command.ts [--heap-clients 50] [--heal-clients 1,500] [--only heap,absorb,heal]
//
// Runs against the stack the PLATER_* variables name, else starts one of its own (load/bench/stack.ts).
import { randomUUID } from 'node:crypto'
import postgres from 'postgres'
import { watchContention } from '../../bench/contention.ts'
import { appendRecord, recordOf } from '../../bench/record.ts'
import { type BenchStack, endpointsFromEnv, externalStack, OwnedStack } from '../../bench/stack.ts'
import { cancelWork, fiveScopes, openWork, plater, signIn } from './fixtures.ts'
import { heapPerClient } from './heap.ts'
import { absorbInProcess, absorbThroughStack } from './absorb.ts'
import { healAfterCut } from './heal.ts'

function arg(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`)
  return at >= 0 ? process.argv[at + 1] ?? fallback : fallback
}
const only = new Set(arg('only', 'heap,absorb,heal').split(','))
const heapClients = Number(arg('heap-clients', '50'))
const healClients = arg('heal-clients', '1,500').split(',').map(Number)

async function main(): Promise<void> {
  const env = endpointsFromEnv()
  const stack: BenchStack = env ? externalStack(env) : await OwnedStack.start()
  const sql = postgres(stack.dbUrl, { max: 2, onnotice: () => {} })
  const contention = watchContention(() => [])
  const startedAt = new Date().toISOString()
  const data: Record<string, unknown> = {}
  const figures: Record<string, { label: string; value: number | null; unit: string }> = {}
  try {
    const managerToken = await signIn(stack, 'manager@bistro.test')
    const manager = plater(stack.apiUrl, stack.anonKey, managerToken)
    const work = await openWork(sql, manager, 10)
    if (only.has('heap')) {
      const heap = await heapPerClient(
        stack,
        managerToken,
        heapClients,
        await fiveScopes(stack, managerToken),
      )
      data.heap = heap
      figures.heapPerClient = {
        label: `heap per client, 5 scopes open, 20 open items (${heapClients} clients)`,
        value: heap.heapBytesPerClient,
        unit: 'B',
      }
      console.log('heap', heap)
      const emptyToken = await signIn(stack, 'manager@diner.test')
      const empty = await heapPerClient(stack, emptyToken, heapClients, await fiveScopes(stack, emptyToken))
      data.heapEmpty = empty
      figures.heapPerClientEmpty = {
        label: 'heap per client, 5 scopes open, no open work',
        value: empty.heapBytesPerClient,
        unit: 'B',
      }
      figures.heapBareSupabase = {
        label: 'heap per client of supabase-js alone, same 5 channels',
        value: empty.bareSupabaseJsHeapBytesPerClient,
        unit: 'B',
      }
      console.log('heap, empty restaurant', empty)
    }
    if (only.has('absorb')) {
      const inProcess = await absorbInProcess(200_000)
      data.absorbInProcess = inProcess
      figures.absorbInProcess = {
        label: 'changes/s one client applies, in process (no network)',
        value: inProcess.perSecond,
        unit: '/s',
      }
      console.log('absorb in process', inProcess)
      const burgers = await openWork(sql, manager, 2, 100).then((ids) => ids.filter((_, i) => i % 2 === 0))
      const stacked = await absorbThroughStack(stack, sql, managerToken, burgers)
      data.absorbThroughStack = stacked
      const kept = stacked.steps.filter((step) => step.drainMs < 1000).at(-1)
      figures.absorbThroughStack = {
        label: 'changes/s one client kept up with through the stack (drained < 1 s)',
        value: kept?.publishedPerSecond ?? null,
        unit: '/s',
      }
      console.log('absorb through the stack', stacked)
    }
    if (only.has('heal')) {
      const cookToken = await signIn(stack, 'cook.grill@bistro.test')
      const grillItems = work.filter((_, i) => i % 2 === 0)
      for (const n of healClients) {
        const heal = await healAfterCut(stack, sql, cookToken, n, grillItems)
        data[`heal${n}`] = heal
        figures[`heal${n}Max`] = {
          label: `cut → live, gaps healed, ${n} client(s): slowest`,
          value: heal.healMs.max,
          unit: 'ms',
        }
        figures[`heal${n}P50`] = {
          label: `cut → live, gaps healed, ${n} client(s): median`,
          value: heal.healMs.p50,
          unit: 'ms',
        }
        console.log(`heal ${n}`, heal)
      }
    }
    await cancelWork(manager)
    await manager.close()
  } finally {
    await sql.end()
    await stack.stop()
  }
  const output = {
    parameters: { heapClients, healClients, only: [...only] },
    figures,
    bottleneck:
      'see data: in-process figures are the client alone; through-the-stack figures include Postgres, the gateway and the load generator on the same 2 cores',
    cpuPercentOfOneCore: {},
    data,
  }
  const file = appendRecord(
    recordOf({
      scenario: 'client',
      runId: randomUUID(),
      startedAt,
      contention: contention(),
      postgresVersion: null,
      output,
    }),
  )
  console.log(`written ${file}`)
  process.exit(0)
}

await main()
