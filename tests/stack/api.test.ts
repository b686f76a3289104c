import { describe, expect, it } from 'vitest';
import { createHealthRoute } from '../../stack/api/health.ts';
import { startApiServer } from '../../stack/api/server.ts';
import { createLogger } from '../../stack/log.ts';
import { findFreePorts } from '../../stack/ports.ts';
import { testStack } from '../helpers/stack-env.ts';

describe('the API server of the test stack', () => {
  const { apiUrl } = testStack();

  it('answers /health with the database up', async () => {
    const response = await fetch(`${apiUrl}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/application\/json/);
    expect(await response.json()).toEqual({ status: 'ok', db: 'up' });
  });

  it('answers unknown paths with a JSON 404', async () => {
    const response = await fetch(`${apiUrl}/no/such/route`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ code: 'not_found' });
  });

  it('does not treat a path that merely starts with a prefix as that route', async () => {
    const response = await fetch(`${apiUrl}/healthz`);
    expect(response.status).toBe(404);
  });
});

describe('/health without a database', () => {
  it('still answers, reporting db down', async () => {
    const [apiPort, closedPort] = await findFreePorts('127.0.0.1', 2);
    const server = await startApiServer({
      host: '127.0.0.1',
      port: apiPort!,
      routes: [createHealthRoute(`postgresql://postgres:postgres@127.0.0.1:${closedPort}/postgres`)],
      log: createLogger('test', 'error'),
    });
    try {
      const response = await fetch(`${server.url}/health`);
      expect(await response.json()).toEqual({ status: 'ok', db: 'down' });
    } finally {
      await server.close();
    }
  });
});
