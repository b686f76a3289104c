import type { Sample } from './history.ts'

const WIDTH = 600
const HEIGHT = 160
/** Time labels under a chart: the first sample, three between, the last. */
const TICKS = 5

export interface Series {
  key: keyof Omit<Sample, 'at'>
  label: string
  color: string
}

const clock = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})

/** The wall-clock times the samples span, evenly spaced (the samples are taken at a steady interval). */
export function timeTicks(samples: Sample[]): { at: number; label: string; left: number }[] {
  if (samples.length < 2) return []
  const first = samples[0]!.at
  const last = samples.at(-1)!.at
  return Array.from({ length: TICKS }, (_, index) => {
    const at = first + ((last - first) * index) / (TICKS - 1)
    return { at, label: clock.format(at), left: (100 * index) / (TICKS - 1) }
  })
}

/** Lines over the sampled window, scaled to the largest value shown, over a time axis; plain SVG, fixed height. */
export function Chart(
  { samples, series, unit, title }: { samples: Sample[]; series: Series[]; unit: string; title: string },
) {
  const max = Math.max(1, ...samples.flatMap((sample) => series.map((s) => sample[s.key])))
  const x = (index: number) => (samples.length < 2 ? 0 : (index / (samples.length - 1)) * WIDTH)
  const y = (value: number) => HEIGHT - 4 - (value / max) * (HEIGHT - 14)
  const ticks = timeTicks(samples)
  return (
    <figure className='panel chart-panel'>
      <figcaption className='screen-head'>
        <h3>{title}</h3>
        <span className='legend'>
          {series.map((s) => (
            <span key={s.key} style={{ color: s.color }}>
              {s.label}
            </span>
          ))}
        </span>
        <span className='muted num'>max {Math.round(max)} {unit}</span>
      </figcaption>
      <svg
        className='chart'
        data-samples={samples.length}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        preserveAspectRatio='none'
        role='img'
        aria-label={`${title}, ${
          ticks.length ? `${ticks[0]!.label} to ${ticks.at(-1)!.label}` : 'no samples yet'
        }`}
      >
        {series.map((s) => (
          <polyline
            key={s.key}
            fill='none'
            stroke={s.color}
            strokeWidth={2}
            vectorEffect='non-scaling-stroke'
            points={samples.map((sample, index) => `${x(index).toFixed(1)},${y(sample[s.key]).toFixed(1)}`)
              .join(' ')}
          />
        ))}
      </svg>
      <ol className='time-axis num' aria-label='Time'>
        {ticks.map((tick) => (
          <li key={tick.left} style={{ left: `${tick.left}%` }}>
            <time dateTime={new Date(tick.at).toISOString()}>{tick.label}</time>
          </li>
        ))}
      </ol>
    </figure>
  )
}
