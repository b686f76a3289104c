/**
 * Small hand-written SVG charts for the benchmark report: lines over a numeric x axis and horizontal stacked bars.
 * Plain SVG 1.1 with inline styles, so GitHub and any browser render them without scripts or fonts to fetch.
 */

export interface Series {
  readonly name: string
  readonly points: ReadonlyArray<readonly [number, number]>
  readonly dashed?: boolean
  /** Series with the same color index share a color (e.g. one system's p50 dashed beside its p99). */
  readonly colorIndex?: number
}

export interface LineChart {
  readonly title: string
  readonly xLabel: string
  readonly yLabel: string
  readonly series: readonly Series[]
  /** Horizontal reference lines (targets). */
  readonly thresholds?: ReadonlyArray<{ readonly y: number; readonly label: string }>
  readonly logY?: boolean
}

const WIDTH = 720
const HEIGHT = 360
const MARGIN = { top: 40, right: 170, bottom: 50, left: 70 }
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f']

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** Round numbers for axis ticks: 1, 2, 5 × 10^n steps. */
function ticks(min: number, max: number, count = 5): number[] {
  const span = max - min || 1
  const raw = span / count
  const magnitude = 10 ** Math.floor(Math.log10(raw))
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!
  const out: number[] = []
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step) {
    out.push(Number(v.toPrecision(12)))
  }
  return out
}

export function formatNumber(value: number): string {
  const abs = Math.abs(value)
  if (abs >= 1e6) return `${Number((value / 1e6).toPrecision(3))}M`
  if (abs >= 1e3) return `${Number((value / 1e3).toPrecision(3))}k`
  return String(Number(value.toPrecision(3)))
}

function frame(title: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${
      escape(title)
    }</text>`,
    ...body,
    '</svg>',
    '',
  ].join('\n')
}

function legend(entries: ReadonlyArray<{ name: string; color: string; dashed?: boolean }>): string[] {
  const x = WIDTH - MARGIN.right + 15
  return entries.flatMap((entry, i) => {
    const y = MARGIN.top + 10 + i * 20
    return [
      `<line x1="${x}" y1="${y}" x2="${x + 24}" y2="${y}" stroke="${entry.color}" stroke-width="2.5"${
        entry.dashed ? ' stroke-dasharray="6 4"' : ''
      }/>`,
      `<text x="${x + 30}" y="${y + 4}">${escape(entry.name)}</text>`,
    ]
  })
}

export function lineChart(chart: LineChart): string {
  const points = chart.series.flatMap((s) => s.points).filter(([x, y]) =>
    Number.isFinite(x) && Number.isFinite(y)
  )
  const plotW = WIDTH - MARGIN.left - MARGIN.right
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom
  if (points.length === 0) {
    return frame(chart.title, [
      `<text x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">no data yet</text>`,
    ])
  }
  const xs = points.map(([x]) => x)
  const ys = [...points.map(([, y]) => y), ...(chart.thresholds ?? []).map((t) => t.y)]
  const single = Math.min(...xs) === Math.max(...xs)
  const xMin = single ? Math.min(...xs) * 0.9 - 1 : Math.min(...xs)
  const xMax = single ? Math.max(...xs) * 1.1 + 1 : Math.max(...xs)
  const positive = ys.filter((y) => y > 0)
  const log = chart.logY && positive.length > 0
  const yLo = log ? 10 ** Math.floor(Math.log10(Math.min(...positive))) : Math.min(0, ...ys)
  const yHi = log ? 10 ** Math.ceil(Math.log10(Math.max(...positive))) : Math.max(...ys) * 1.05 || 1
  const sx = (x: number) => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW
  const sy = (y: number) =>
    log
      ? MARGIN.top + plotH -
        ((Math.log10(Math.max(y, yLo)) - Math.log10(yLo)) / (Math.log10(yHi) - Math.log10(yLo))) * plotH
      : MARGIN.top + plotH - ((y - yLo) / (yHi - yLo)) * plotH
  const yTicks = log
    ? Array.from({ length: Math.round(Math.log10(yHi / yLo)) + 1 }, (_, i) => yLo * 10 ** i)
    : ticks(yLo, yHi)
  const body: string[] = []
  for (const y of yTicks) {
    body.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(y)}" y2="${sy(y)}" stroke="#e5e5e5"/>`,
    )
    body.push(`<text x="${MARGIN.left - 6}" y="${sy(y) + 4}" text-anchor="end">${formatNumber(y)}</text>`)
  }
  for (const x of ticks(xMin, xMax)) {
    body.push(
      `<line x1="${sx(x)}" x2="${sx(x)}" y1="${MARGIN.top + plotH}" y2="${
        MARGIN.top + plotH + 5
      }" stroke="#333"/>`,
    )
    body.push(
      `<text x="${sx(x)}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${formatNumber(x)}</text>`,
    )
  }
  body.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#333"/>`,
  )
  body.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${
      escape(chart.xLabel)
    }</text>`,
  )
  body.push(
    `<text transform="translate(16 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${
      escape(chart.yLabel)
    }${log ? ' (log scale)' : ''}</text>`,
  )
  for (const threshold of chart.thresholds ?? []) {
    body.push(
      `<line x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${sy(threshold.y)}" y2="${
        sy(threshold.y)
      }" stroke="#555" stroke-dasharray="2 3"/>`,
    )
    body.push(
      `<text x="${MARGIN.left + plotW - 4}" y="${sy(threshold.y) - 4}" text-anchor="end" fill="#555">${
        escape(threshold.label)
      }</text>`,
    )
  }
  const entries = chart.series.map((series, i) => ({
    name: series.name,
    color: COLORS[(series.colorIndex ?? i) % COLORS.length]!,
    dashed: series.dashed,
  }))
  chart.series.forEach((series, i) => {
    const valid = series.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
    const color = entries[i]!.color
    const path = valid.map(([x, y], k) => `${k === 0 ? 'M' : 'L'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`)
      .join(' ')
    body.push(
      `<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${
        series.dashed ? ' stroke-dasharray="6 4"' : ''
      }/>`,
    )
    for (const [x, y] of valid) {
      body.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="2.5" fill="${color}"/>`)
    }
  })
  body.push(...legend(entries))
  return frame(chart.title, body)
}

export interface BarChart {
  readonly title: string
  readonly unit: string
  /** One bar per row, stacked by segment name. */
  readonly rows: ReadonlyArray<{ readonly label: string; readonly segments: Record<string, number> }>
}

export function stackedBarChart(chart: BarChart): string {
  const names = [...new Set(chart.rows.flatMap((row) => Object.keys(row.segments)))]
  const color = (name: string) => COLORS[names.indexOf(name) % COLORS.length]!
  const left = 190
  const plotW = WIDTH - left - MARGIN.right
  const barH = 22
  const height = Math.max(HEIGHT, MARGIN.top + chart.rows.length * (barH + 12) + MARGIN.bottom)
  const max = Math.max(
    1,
    ...chart.rows.map((row) => Object.values(row.segments).reduce((a, b) => a + Math.max(0, b), 0)),
  )
  const scale = (v: number) => (v / max) * plotW
  const body: string[] = []
  for (const tick of ticks(0, max)) {
    const x = left + scale(tick)
    body.push(
      `<line x1="${x}" x2="${x}" y1="${MARGIN.top}" y2="${height - MARGIN.bottom}" stroke="#e5e5e5"/>`,
    )
    body.push(
      `<text x="${x}" y="${height - MARGIN.bottom + 16}" text-anchor="middle">${formatNumber(tick)}</text>`,
    )
  }
  body.push(
    `<text x="${left + plotW / 2}" y="${height - 12}" text-anchor="middle">${escape(chart.unit)}</text>`,
  )
  chart.rows.forEach((row, i) => {
    const y = MARGIN.top + i * (barH + 12)
    body.push(`<text x="${left - 8}" y="${y + barH / 2 + 4}" text-anchor="end">${escape(row.label)}</text>`)
    let x = left
    for (const name of names) {
      const value = Math.max(0, row.segments[name] ?? 0)
      if (value === 0) continue
      const w = scale(value)
      body.push(
        `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${
          color(name)
        }"><title>${escape(`${name}: ${value}`)}</title></rect>`,
      )
      if (w > 28) {
        body.push(
          `<text x="${(x + w / 2).toFixed(1)}" y="${y + barH / 2 + 4}" text-anchor="middle" fill="#fff">${
            formatNumber(value)
          }</text>`,
        )
      }
      x += w
    }
  })
  body.push(...legend(names.map((name) => ({ name, color: color(name) }))))
  return frame(chart.title, body).replace(
    `height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}"`,
    `height="${height}" viewBox="0 0 ${WIDTH} ${height}"`,
  ).replace(`<rect width="${WIDTH}" height="${HEIGHT}"`, `<rect width="${WIDTH}" height="${height}"`)
}
