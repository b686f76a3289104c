// The public API of the client package against its committed report (client/api/*.api.md): a change to what
// apps import shows in review, and this fails until `npm run api-report -w plater-realtime` records it.
import { join } from 'node:path'
import { Extractor, ExtractorConfig } from '@microsoft/api-extractor'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../../stack/config.ts'

const CONFIGS = ['api-extractor.json', 'api-extractor.react.json']

describe('the client package API report', () => {
  it.each(CONFIGS)('%s matches the built declarations', { timeout: 120_000 }, (config) => {
    const extractorConfig = ExtractorConfig.loadFileAndPrepare(join(repoRoot, 'client', config))
    const messages: string[] = []
    const result = Extractor.invoke(extractorConfig, {
      localBuild: false,
      messageCallback: (message) => {
        if (message.logLevel === 'error' || message.logLevel === 'warning') messages.push(message.text)
        message.handled = true
      },
    })
    expect(
      result.apiReportChanged,
      `${extractorConfig.reportFilePath} is out of date: run \`npm run api-report -w plater-realtime\` and commit it\n${
        messages.join('\n')
      }`,
    ).toBe(false)
    expect(messages).toEqual([])
  })
})
