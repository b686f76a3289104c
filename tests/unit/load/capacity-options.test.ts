import { describe, expect, it } from 'vitest'
import {
  failures,
  highestPassing,
  kneeRates,
  parseRates,
  TARGETS,
  withShortPass,
} from '../../../load/scenarios/capacity/options.ts'

const within = { p50: 2, p95: 10, p99: 30, lost: 0, duplicated: 0 }
const answered = { failed: 0, skipped: 0, latencyMs: { p95: 5 } }

describe('capacity: a step is judged by every target', () => {
  it('passes a step inside all of them', () => {
    expect(failures(within, answered)).toEqual([])
  })

  it('names each target a step misses', () => {
    expect(failures(
      { p50: TARGETS.p50Ms + 1, p95: TARGETS.p95Ms + 1, p99: TARGETS.p99Ms + 1, lost: 1, duplicated: 2 },
      { failed: 3, skipped: 4, latencyMs: { p95: TARGETS.writeP95Ms + 1 } },
    )).toEqual([
      `p50 ${TARGETS.p50Ms + 1} > ${TARGETS.p50Ms} ms`,
      `p95 ${TARGETS.p95Ms + 1} > ${TARGETS.p95Ms} ms`,
      `p99 ${TARGETS.p99Ms + 1} > ${TARGETS.p99Ms} ms`,
      '1 lost',
      '2 duplicated',
      '3 writes failed',
      '4 writes skipped (every table busy)',
      `writes answered p95 ${TARGETS.writeP95Ms + 1} > ${TARGETS.writeP95Ms} ms`,
    ])
  })

  it('passes a step exactly at the targets', () => {
    const edge = { p50: TARGETS.p50Ms, p95: TARGETS.p95Ms, p99: TARGETS.p99Ms, lost: 0, duplicated: 0 }
    expect(failures(edge, { ...answered, latencyMs: { p95: TARGETS.writeP95Ms } })).toEqual([])
  })

  it('fails a step that measured no delivery at all', () => {
    expect(failures({ ...within, p50: null, p95: null, p99: null }, answered)).toEqual(['no latency samples'])
  })
})

describe('capacity: sweeps', () => {
  const ladder = [200, 250, 300, 350, 400, 450]

  it("repeats from one rate below the first sweep's knee to two above it", () => {
    expect(kneeRates(ladder, 300)).toEqual([250, 300, 350, 400])
    expect(kneeRates(ladder, 200)).toEqual([200, 250, 300])
    expect(kneeRates(ladder, 450)).toEqual([400, 450])
  })

  it("repeats the ladder's lowest two rates when nothing passed", () => {
    expect(kneeRates(ladder, null)).toEqual([200, 250])
  })

  it('takes the highest passing rate, even above a failed one', () => {
    expect(
      highestPassing([{ rate: 200, passed: true }, { rate: 250, passed: false }, {
        rate: 300,
        passed: true,
      }]),
    )
      .toBe(300)
    expect(highestPassing([{ rate: 200, passed: false }])).toBeNull()
  })
})

describe('capacity: options', () => {
  it('reads a ladder and a list of rates', () => {
    expect(parseRates('200-450:50')).toEqual([200, 250, 300, 350, 400, 450])
    expect(parseRates('300,100,300')).toEqual([100, 300])
  })

  it('refuses rates it cannot read', () => {
    expect(() => parseRates('fast')).toThrow('--rates must be')
    expect(() => parseRates('100,-5')).toThrow('--rates must be')
  })

  it('gives --duration its short pass, except for options the command line set', () => {
    const options = { rates: '100-500:50', step: '60', duration: '5', sockets: '10000' }
    expect(withShortPass(options, new Set(['duration', 'sockets']))).toMatchObject({
      rates: '20,40',
      step: '5',
      sockets: '10000',
    })
    expect(withShortPass(options, new Set())).toBe(options)
  })
})
