import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { BodyTooLarge, readBody } from '../../shared/http/body.ts'
import { readNodeBody } from '../../shared/http/node-body.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield bytes(part)
}

describe('the bounded body reader', () => {
  it('joins the chunks of a web stream or an async iterable', async () => {
    const stream = new Response('{"a":1}').body
    expect(new TextDecoder().decode(await readBody(stream, 100))).toBe('{"a":1}')
    expect(new TextDecoder().decode(await readBody(chunks('ab', 'cd', 'e'), 5))).toBe('abcde')
    expect(await readBody(null, 5)).toEqual(new Uint8Array(0))
  })

  it('refuses a body past the limit as it arrives, and a declared length past it before reading', async () => {
    await expect(readBody(chunks('abc', 'def'), 5)).rejects.toThrow(new BodyTooLarge(5))
    let pulled = false
    const untouched = (async function* () {
      pulled = true
      yield bytes('x')
    })()
    await expect(readBody(untouched, 5, '6')).rejects.toBeInstanceOf(BodyTooLarge)
    expect(pulled).toBe(false)
  })

  it('keeps a refused Node request readable when asked, so the rest can be drained and answered', async () => {
    const server = createServer(async (req, res) => {
      try {
        await readNodeBody(req, 4, { keepOnRefusal: true })
        res.end('read')
      } catch (error) {
        if (!(error instanceof BodyTooLarge)) throw error
        // drained to its end, so the answer reaches a client that may still be sending
        req.once('end', () => res.writeHead(413).end('too large'))
        req.once('close', () => {
          if (!req.readableEnded) res.destroy() // destroyed before its end: nothing left to drain
        })
        req.resume()
      }
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    try {
      const { port } = server.address() as AddressInfo
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({ port, method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
          let body = ''
          res.on('data', (chunk: Buffer) => (body += chunk))
          res.once('end', () => resolve({ status: res.statusCode ?? 0, body }))
        })
        req.once('error', reject)
        req.write('abc')
        setImmediate(() => req.end('defgh'))
      })
      // without keepOnRefusal the request is destroyed: its rest cannot be drained, and this client gets no answer
      expect(answer).toEqual({ status: 413, body: 'too large' })
    } finally {
      server.close()
    }
  })
})
