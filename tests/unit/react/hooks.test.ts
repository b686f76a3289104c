// @vitest-environment happy-dom
import { act, createElement, type ReactNode, StrictMode, useState } from 'react'
import { createRoot, type Root } from 'react-dom/client'
import { afterEach, describe, expect, it } from 'vitest'
import type { PlaterClient } from '../../../client/src/index.ts'
import {
  PlaterProvider,
  useCrew,
  useMutation,
  useRealtimeHealth,
  useScope,
  useScopeState,
} from '../../../client/src/react/index.ts'
import { KDS, type Rig, rig } from '../client/client-helpers.ts'
import { ME, RESTAURANT, settle, STATION } from '../client/fakes.ts' /**
 * The React bindings over a real client (its socket, functions and clock faked as in the client's unit tests),
 * rendered by react-dom into happy-dom.
 */
;(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true

const CREW = `crew:${RESTAURANT}`
const item = (order: string, status: string) => ({
  order_id: order,
  table: 'T1',
  status,
  name: 'Burger',
  qty: 1,
  course: 1,
  modifiers: [],
  allergens: [],
})

let current: { rig: Rig; root: Root; host: HTMLElement } | null = null

afterEach(async () => {
  if (!current) return
  act(() => current!.root.unmount())
  await current.rig.plater.close()
  current = null
})

/** Counts the handles the client hands out and gives back, to prove what a hook holds. */
function countHandles(plater: PlaterClient): { open: () => number } {
  const open = plater.open.bind(plater)
  let held = 0
  plater.open = ((key) => {
    const handle = open(key)
    held++
    const release = handle.release.bind(handle)
    let released = false
    handle.release = () => {
      if (!released) held--
      released = true
      release()
    }
    return handle
  }) as PlaterClient['open']
  return { open: () => held }
}

async function mount(
  node: ReactNode,
  parts: Rig = rig(),
): Promise<{ rig: Rig; host: HTMLElement; render(node: ReactNode): Promise<void> }> {
  const host = document.createElement('div')
  document.body.append(host)
  const root = createRoot(host)
  current = { rig: parts, root, host }
  const render = async (next: ReactNode) => {
    // deno-lint-ignore require-await -- act() flushes effects after an async callback settles, not a sync one
    await act(async () => root.render(createElement(PlaterProvider, { client: parts.plater }, next)))
  }
  await render(node)
  return { rig: parts, host, render }
}

/** Lets the fake clock run the client's coalescing window, inside act so React renders what it notified. */
async function tick(parts: Rig, ms = 500): Promise<void> {
  await act(async () => {
    await settle()
    await parts.clock.advance(ms)
  })
}

function Tickets(
  { stationId, renders }: {
    stationId: string
    renders?: { stationId: string; tables: string[]; status: string }[]
  },
) {
  const { view, status, error } = useScopeState({ scope: 'kds', stationId })
  renders?.push({ stationId, tables: view.tickets.map((ticket) => ticket.orderId), status })
  return createElement(
    'p',
    { 'data-status': status, 'data-error': error?.message ?? '' },
    view.tickets.map((t) => t.orderId).join(','),
  )
}

describe('useScopeState / useScope', () => {
  it('opens the scope on mount, renders its snapshot and then its deltas, and releases it on unmount', async () => {
    const parts = rig()
    parts.backend.topic(KDS).publish('item', 'i1', item('o1', 'pending'))
    const handles = countHandles(parts.plater)
    const { host, render } = await mount(createElement(Tickets, { stationId: STATION }), parts)
    expect(handles.open()).toBe(1)
    await tick(parts)
    expect(host.querySelector('p')!.dataset.status).toBe('live')
    expect(host.textContent).toBe('o1')

    parts.link.send(KDS, parts.backend.topic(KDS).publish('item', 'i2', item('o2', 'pending')))
    await tick(parts)
    expect(host.textContent).toBe('o1,o2')

    await render(null)
    expect(handles.open()).toBe(0)
  })

  it('holds exactly one handle under Strict Mode (mount, unmount, mount) and none after', async () => {
    const parts = rig()
    const handles = countHandles(parts.plater)
    const { render } = await mount(
      createElement(StrictMode, null, createElement(Tickets, { stationId: STATION })),
      parts,
    )
    await tick(parts)
    expect(handles.open()).toBe(1)
    await render(null)
    expect(handles.open()).toBe(0)
  })

  it('reports a refused scope as status error with its error', async () => {
    const parts = rig()
    const { host } = await mount(createElement(Tickets, { stationId: 'not-mine' }), parts)
    await tick(parts, 5_000)
    const shown = host.querySelector('p')!
    expect(shown.dataset.status).toBe('error')
    expect(shown.dataset.error).not.toBe('')
  })

  it('never shows the rows of the previous key under a new one', async () => {
    const parts = rig()
    parts.backend.topic(KDS).publish('item', 'i1', item('o1', 'pending'))
    parts.backend.topic(`kds:${RESTAURANT}:fry`)
    const renders: { stationId: string; tables: string[]; status: string }[] = []
    const { render } = await mount(createElement(Tickets, { stationId: STATION, renders }), parts)
    await tick(parts)
    expect(renders.at(-1)).toMatchObject({ stationId: STATION, tables: ['o1'] })
    await render(createElement(Tickets, { stationId: 'fry', renders }))
    await tick(parts)
    const fryRenders = renders.filter((r) => r.stationId === 'fry')
    expect(fryRenders.length).toBeGreaterThan(0)
    expect(fryRenders.every((r) => r.tables.length === 0)).toBe(true)
  })

  it('shows a change made between its render and its subscription (useSyncExternalStore: no torn or missed view)', async () => {
    const parts = rig()
    parts.backend.topic(KDS).publish('item', 'i1', item('o1', 'pending'))
    let mutateIn: string | null = null
    // The store changes while React renders a reader that has not subscribed yet (an optimistic mutation
    // applies at once, its notification reaching only the readers already listening): a hook that took its
    // value at render and subscribed afterwards would keep showing the old view, beside a reader showing the new.
    function Reader({ id }: { id: string }) {
      const view = useScope({ scope: 'kds', stationId: STATION })
      if (mutateIn === id) {
        mutateIn = null
        void parts.plater.mutations.startItem({ itemId: 'i1' }).catch(() => {})
      }
      return createElement('i', { id }, view.tickets[0]?.items[0]?.status ?? '-')
    }
    let showLate!: () => void
    function Both() {
      const [late, setLate] = useState(false)
      showLate = () => setLate(true)
      return createElement(
        'div',
        null,
        createElement(Reader, { id: 'early' }),
        late ? createElement(Reader, { id: 'late' }) : null,
      )
    }
    const { host } = await mount(createElement(Both), parts)
    await tick(parts)
    expect(host.querySelector('#early')!.textContent).toBe('pending')
    parts.backend.hold(() => true) // the start stays unanswered: only the optimistic change shows
    // deno-lint-ignore require-await -- act() flushes effects after an async callback settles, not a sync one
    await act(async () => {
      mutateIn = 'late'
      showLate()
    })
    expect(host.querySelector('#early')!.textContent).toBe('preparing')
    expect(host.querySelector('#late')!.textContent).toBe('preparing')
  })
})

describe('useMutation', () => {
  function Starter({ onReady }: { onReady: (m: ReturnType<typeof useMutation>) => void }) {
    const mutations = useMutation()
    onReady(mutations)
    return createElement('p', {
      'data-pending': mutations.isPending,
      'data-error': mutations.error?.code ?? '',
    })
  }

  it('is pending while a mutation is in flight, keeps the refusal as error, and reset() clears it', async () => {
    const parts = rig()
    parts.backend.topic(KDS).publish('item', 'i1', item('o1', 'pending'))
    let mutations!: ReturnType<typeof useMutation>
    const { host } = await mount(
      createElement(
        'div',
        null,
        createElement(Tickets, { stationId: STATION }),
        createElement(Starter, { onReady: (m) => (mutations = m) }),
      ),
      parts,
    )
    await tick(parts)
    const release = parts.backend.hold((call) => call.method === 'POST')
    parts.backend.onPost = () => ({
      status: 409,
      body: { code: 'version_conflict', message: 'someone else changed it first' },
    })
    let settled: Promise<unknown> = Promise.resolve()
    await act(async () => {
      settled = mutations.startItem({ itemId: 'i1' }).catch(() => {})
      await settle()
    })
    const shown = () => host.querySelector('p[data-pending]') as HTMLElement
    expect(shown().dataset.pending).toBe('true')
    await act(async () => {
      release()
      await settled
      await parts.clock.advance(5_000)
    })
    expect(shown().dataset.pending).toBe('false')
    expect(shown().dataset.error).toBe('version_conflict')
    // deno-lint-ignore require-await -- act() flushes effects after an async callback settles, not a sync one
    await act(async () => mutations.reset())
    expect(shown().dataset.error).toBe('')
  })
})

describe('useRealtimeHealth', () => {
  function Status() {
    return createElement('p', null, useRealtimeHealth().status)
  }

  it('re-renders on status changes and stops listening on unmount', async () => {
    const parts = rig()
    let listeners = 0
    const subscribe = parts.plater.health.subscribe.bind(parts.plater.health)
    parts.plater.health.subscribe = (listener) => {
      listeners++
      const off = subscribe(listener)
      return () => {
        listeners--
        off()
      }
    }
    const { host, render } = await mount(
      createElement('div', null, createElement(Status), createElement(Tickets, { stationId: STATION })),
      parts,
    )
    await tick(parts)
    expect(host.querySelector('p')!.textContent).toBe('live')
    expect(listeners).toBe(1)
    await act(async () => {
      parts.link.drop()
      await parts.clock.advance(500)
    })
    expect(host.querySelector('p')!.textContent).not.toBe('live')
    await render(null)
    expect(listeners).toBe(0)
  })
})

describe('useCrew', () => {
  function Crew({ onReady }: { onReady: (crew: ReturnType<typeof useCrew>) => void }) {
    const crew = useCrew()
    onReady(crew)
    return createElement('p', { 'data-status': crew.status }, crew.view.members.map((m) => m.key).join(','))
  }

  it('joins the crew topic once (Strict Mode too), lists members, tracks and sends on that one channel, and leaves on unmount', async () => {
    const parts = rig()
    let crew!: ReturnType<typeof useCrew>
    const { host, render } = await mount(
      createElement(StrictMode, null, createElement(Crew, { onReady: (c) => (crew = c) })),
      parts,
    )
    await tick(parts)
    expect(host.querySelector('p')!.dataset.status).toBe('live')
    expect(
      parts.link.joins.filter((topic) => topic === CREW).length -
        parts.link.leaves.filter((topic) => topic === CREW).length,
    ).toBe(1)
    await act(async () => {
      await crew.track({ screen: '/kds' })
      await crew.send('notice', { text: '86 salmon' })
    })
    expect(parts.link.tracked.get(CREW)).toEqual({ screen: '/kds' })
    expect(parts.link.sent).toEqual([{ topic: CREW, event: 'notice', payload: { text: '86 salmon' } }])
    parts.link.presence(CREW, { [ME]: [{ screen: '/kds' }] })
    await tick(parts)
    expect(host.textContent).toBe(ME)
    await render(null)
    expect(parts.link.channels.has(CREW)).toBe(false)
  })
})
