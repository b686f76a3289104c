import { useCallback, useEffect, useRef, useState } from 'react'

/** How long a new ticket stands out. */
export const ARRIVAL_FLASH_MS = 4000
const SOUND_KEY = 'plater-console:new-ticket-sound'

/** The new-ticket sound is a setting of this device (a wall screen by the pass beeps, the grill's tablet may not). */
export function useTicketSound(): [boolean, (on: boolean) => void] {
  const [on, setOn] = useState(() => localStorage.getItem(SOUND_KEY) === 'on')
  const save = useCallback((next: boolean) => {
    localStorage.setItem(SOUND_KEY, next ? 'on' : 'off')
    setOn(next)
  }, [])
  return [on, save]
}

/**
 * The ids that appeared since the screen's data first arrived, for `ARRIVAL_FLASH_MS` each; what was already
 * there when the screen opened is not new. With `sound`, one short chime per batch of arrivals.
 */
export function useArrivals(ids: readonly string[], loaded: boolean, sound: boolean): ReadonlySet<string> {
  const seen = useRef<Set<string> | null>(null)
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set())
  const timers = useRef(new Set<ReturnType<typeof setTimeout>>())
  const key = ids.join(' ')

  useEffect(() => {
    const pending = timers.current
    return () => pending.forEach(clearTimeout)
  }, [])

  useEffect(() => {
    if (!loaded) return
    if (!seen.current) {
      seen.current = new Set(ids)
      return
    }
    const arrived = ids.filter((id) => !seen.current!.has(id))
    if (arrived.length === 0) return
    for (const id of arrived) seen.current.add(id)
    setFresh((now) => new Set([...now, ...arrived]))
    if (sound) chime()
    // each batch fades on its own clock: later arrivals must not keep earlier ones lit
    const timer = setTimeout(() => {
      timers.current.delete(timer)
      setFresh((now) => new Set([...now].filter((id) => !arrived.includes(id))))
    }, ARRIVAL_FLASH_MS)
    timers.current.add(timer)
    // `key` stands for the ids' contents; a new array of the same ids is no arrival
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, loaded])

  return fresh
}

let audio: AudioContext | null = null

/** Two short tones (Web Audio: nothing to download); silent where the browser allows no sound yet. */
function chime(): void {
  try {
    audio ??= new AudioContext()
    const start = audio.currentTime
    for (const [offset, frequency] of [[0, 880], [0.16, 1320]] as const) {
      const tone = audio.createOscillator()
      const gain = audio.createGain()
      tone.frequency.value = frequency
      gain.gain.setValueAtTime(0.2, start + offset)
      gain.gain.exponentialRampToValueAtTime(0.001, start + offset + 0.14)
      tone.connect(gain).connect(audio.destination)
      tone.start(start + offset)
      tone.stop(start + offset + 0.15)
    }
  } catch {
    // no audio device or not allowed: the flash still shows
  }
}
