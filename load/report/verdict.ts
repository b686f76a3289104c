import { TARGETS } from '../k6/scenarios.js'
import type { Figure } from '../bench/scenario.ts'
import { median } from '../bench/stats.ts'

/** How REPORT.md writes a figure's value and its target, and judges the runs' values against it. */

export function format(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—'
  if (unit === 'ratio') return `${(value * 100).toFixed(value >= 0.999 && value < 1 ? 3 : 2)} %`
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2
  // Below 1, significant digits: a ratio of 0.0042 is not "0".
  const text = Math.abs(value) < 1
    ? value.toLocaleString('en', { maximumSignificantDigits: 3 })
    : value.toLocaleString('en', { maximumFractionDigits: digits })
  return unit === '×' ? `${text}×` : `${text} ${unit}`
}

export function targetText(figure: Figure): string {
  const t = figure.target
  if (!t) return ''
  if (t.max !== undefined) return `≤ ${format(t.max, figure.unit)}`
  return `≥ ${format(t.min, figure.unit)}`
}

/** `runs`: how many runs the values stand for (fewer than TARGETS.runs is said), by default one each. */
export function verdict(values: number[], figure: Figure, runs = values.length): string {
  const t = figure.target
  if (!t || values.length === 0) return ''
  const mid = median(values)
  const short = runs < TARGETS.runs ? ` (${runs} of ${TARGETS.runs} runs)` : ''
  if (t.max !== undefined) {
    const worst = Math.max(...values)
    const limit = t.max === 0 ? 0 : t.max * TARGETS.worstRunFactor
    if (mid <= t.max) {
      return `**met**${short}${
        worst > limit ? `; a run at ${format(worst, figure.unit)} is worse than 2× the target` : ''
      }`
    }
    const by = mid - t.max
    return `**missed** by ${format(by, figure.unit)}${
      t.max > 0 ? ` (${Math.round((by / t.max) * 100)} % over)` : ''
    }${short}`
  }
  const min = t.min!
  const worst = Math.min(...values)
  if (mid >= min) {
    return `**met**${short}${
      worst < min / TARGETS.worstRunFactor
        ? `; a run at ${format(worst, figure.unit)} is worse than half the target`
        : ''
    }`
  }
  const by = min - mid
  return `**missed** by ${format(by, figure.unit)} (${Math.round((by / min) * 100)} % short)${short}`
}
