import { useCallback, useState } from 'react'

/** When a ticket turns amber and red, in minutes since it was fired; kept per station on this device. */
export interface AgeThresholds {
  warningMinutes: number
  lateMinutes: number
}

export const DEFAULT_THRESHOLDS: AgeThresholds = { warningMinutes: 8, lateMinutes: 15 }

export type AgeLevel = 'fresh' | 'warning' | 'late'

export function ageLevel(ageMs: number, thresholds: AgeThresholds): AgeLevel {
  const minutes = ageMs / 60_000
  if (minutes >= thresholds.lateMinutes) return 'late'
  if (minutes >= thresholds.warningMinutes) return 'warning'
  return 'fresh'
}

function read(key: string): AgeThresholds {
  try {
    const stored = JSON.parse(localStorage.getItem(key) ?? 'null') as Partial<AgeThresholds> | null
    return { ...DEFAULT_THRESHOLDS, ...stored }
  } catch {
    return DEFAULT_THRESHOLDS
  }
}

export function useAgeThresholds(stationId: string): [AgeThresholds, (next: AgeThresholds) => void] {
  const key = `plater-console:thresholds:${stationId}`
  const [thresholds, setThresholds] = useState(() => read(key))
  const save = useCallback(
    (next: AgeThresholds) => {
      localStorage.setItem(key, JSON.stringify(next))
      setThresholds(next)
    },
    [key],
  )
  return [thresholds, save]
}
