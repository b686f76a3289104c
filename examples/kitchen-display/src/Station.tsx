import type { KdsTicket, Session } from 'plater-realtime'
import { useMutation, usePlater, useScopeState } from 'plater-realtime/react'
import { useEffect, useState } from 'react'

/** The signed-in cook's station: who they are, then its tickets. */
export function Station() {
  const plater = usePlater()
  const [session, setSession] = useState<Session | null>(null)
  const [error, setError] = useState<string | null>(null)
  useEffect(() => {
    plater.session().then(setSession, (caught: Error) => setError(caught.message))
  }, [plater])
  if (error) return <p role='alert'>{error}</p>
  if (!session) return <p>Loading…</p>
  const station = session.stations.find((s) => s.id === session.staff.station_id)
  if (!station) return <p role='alert'>{session.staff.display_name} works at no station</p>
  return <Tickets stationId={station.id} stationName={station.name} />
}

function Tickets({ stationId, stationName }: { stationId: string; stationName: string }) {
  const { view, status, error } = useScopeState({ scope: 'kds', stationId })
  const mutations = useMutation()
  return (
    <main>
      <h1>{stationName}</h1>
      <p>
        Feed: <output aria-label='Feed status'>{status}</output>
      </p>
      {(error ?? mutations.error) && <p role='alert'>{(error ?? mutations.error)!.message}</p>}
      <ul aria-label='Tickets'>
        {view.tickets.map((ticket) => (
          <TicketRow
            key={ticket.orderId}
            ticket={ticket}
            bump={() => mutations.bumpTicket({ orderId: ticket.orderId, stationId }).catch(() => {})}
          />
        ))}
      </ul>
    </main>
  )
}

function TicketRow({ ticket, bump }: { ticket: KdsTicket; bump: () => void }) {
  return (
    <li aria-label={`Table ${ticket.table ?? '?'}`} data-status={ticket.status}>
      <strong>Table {ticket.table ?? '?'}</strong>{' '}
      {ticket.items.map((item) => `${item.qty}× ${item.name}`).join(', ')} — {ticket.status}
      {ticket.pending && ' (saving…)'}{' '}
      <button type='button' onClick={bump} disabled={ticket.status === 'ready'}>
        Bump
      </button>
    </li>
  )
}
