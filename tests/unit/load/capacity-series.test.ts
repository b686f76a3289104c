import { describe, expect, it } from 'vitest'
import { CAPACITY_SERIES } from '../../../load/scenarios/capacity/summary.ts'

/** A record's part the comparison reads: one system's capacity and bytes per screen by role. */
function run(system: 'ours' | 'peer', capacity: number | null, cookBytes: number) {
  return {
    figures: {},
    data: {
      systems: { [system]: { capacity, bytesPerScreenPerWrite: { cook: cookBytes, server: cookBytes * 2 } } },
    },
  }
}

describe('capacity: ours and the peer measured in runs of their own', () => {
  it('puts a run in the series of the systems it measured', () => {
    expect(CAPACITY_SERIES.of({ systems: ['ours'] })).toBe('ours')
    expect(CAPACITY_SERIES.of({ systems: ['peer'] })).toBe('peer')
    expect(CAPACITY_SERIES.of({ systems: ['ours', 'peer'] })).toBe('ours + peer')
  })

  it('compares the medians of each series', () => {
    const figures = CAPACITY_SERIES.compare({
      ours: [run('ours', 400, 160), run('ours', 350, 150), run('ours', 300, 158)],
      peer: [run('peer', 300, 2000), run('peer', 250, 2100), run('peer', 300, 2050)],
    })
    expect(figures.capacityRatio).toMatchObject({ value: 1.17, unit: '×', target: { min: 2 } })
    expect(figures.bytes_cook?.value).toBe(0.08) // 158 ÷ 2050
    expect(figures.bytes_server?.value).toBe(0.08)
    expect(figures.cookSaving).toMatchObject({ value: 92, target: { min: 80 } })
    expect(figures.capacityRatio?.label).toContain('3 runs of ours and 3 of the peer')
  })

  it('counts a run where no rate passed as 0 writes/s, not as missing', () => {
    const figures = CAPACITY_SERIES.compare({
      ours: [run('ours', null, 150), run('ours', null, 150), run('ours', 400, 150)],
      peer: [run('peer', 200, 2000)],
    })
    expect(figures.capacityRatio?.value).toBe(0)
  })

  it('compares nothing while a series has no runs', () => {
    expect(CAPACITY_SERIES.compare({ ours: [run('ours', 350, 150)] })).toEqual({})
    expect(CAPACITY_SERIES.compare({ ours: [run('ours', 350, 150)], peer: [] })).toEqual({})
  })

  it('reads each series only for its own system', () => {
    // A both-systems run in the ours series contributes its ours half only.
    const both = {
      figures: {},
      data: { systems: { ours: { capacity: 350 }, peer: { capacity: 100 } } },
    }
    const figures = CAPACITY_SERIES.compare({ ours: [both], peer: [run('peer', 350, 2000)] })
    expect(figures.capacityRatio?.value).toBe(1)
  })
})
