import { describe, expect, it } from 'vitest'
import { createLogger, formatRecord, logLevelFromEnv, type LogRecord } from '../../../shared/log.ts'

// The one logger: records of a level, a component, a message and fields, below the least level dropped, written as
// one line each.

describe('the logger', () => {
  it('hands records at or above its level to the sink, with the component path of its children', () => {
    const records: LogRecord[] = []
    const log = createLogger('gateway', 'info', (record) => records.push(record))
    log.debug('dropped')
    log.child('ingest').warn('replication unavailable, retrying', { inMs: 100 })
    log.error('frame handler failed')
    expect(records).toEqual([
      {
        level: 'warn',
        component: 'gateway:ingest',
        message: 'replication unavailable, retrying',
        fields: { inMs: 100 },
      },
      { level: 'error', component: 'gateway', message: 'frame handler failed', fields: undefined },
    ])
  })

  it('writes one line: component, message, fields as JSON with errors readable (their stack at error level only)', () => {
    const error = new TypeError('boom')
    const warn = formatRecord({ level: 'warn', component: 'api', message: 'failed', fields: { error, n: 1 } })
    expect(warn).toBe('[api] failed {"error":{"name":"TypeError","message":"boom"},"n":1}')
    const failed = formatRecord({
      level: 'error',
      component: 'orders',
      message: 'POST /orders failed',
      fields: { error },
    })
    expect(JSON.parse(failed.slice('[orders] POST /orders failed '.length)).error.stack).toContain(
      'TypeError: boom',
    )
    expect(failed).not.toContain('\n')
    expect(formatRecord({ level: 'info', component: 'plater', message: 'ready', fields: {} })).toBe(
      '[plater] ready',
    )
  })

  it('takes its level from PLATER_LOG_LEVEL, refusing a level it does not know', () => {
    expect(logLevelFromEnv({}, 'warn')).toBe('warn')
    expect(logLevelFromEnv({ PLATER_LOG_LEVEL: 'debug' }, 'warn')).toBe('debug')
    expect(() => logLevelFromEnv({ PLATER_LOG_LEVEL: 'verbose' }, 'warn')).toThrow(
      'PLATER_LOG_LEVEL must be one of debug, info, warn, error, got "verbose"',
    )
  })
})
