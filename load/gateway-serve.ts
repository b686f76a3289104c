import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRealtimeGateway, REALTIME_PREFIX } from '../stack/gateway/index.ts';
import { optionsFromEnv } from '../stack/gateway/options.ts';
import { createLogger } from '../stack/log.ts';

/**
 * The gateway under load, in a process of its own so its CPU and RSS are measured apart from the load
 * generator. Same code as the stack mounts at /realtime/v1; limits come from PLATER_REALTIME_* variables.
 * Prints one JSON line `{"url", "pid"}` once it listens; exits on SIGTERM; SIGUSR2 runs a full GC when the
 * process was started with --expose-gc.
 */
const dbUrl = process.env.PLATER_DB_URL;
const jwtSecret = process.env.PLATER_JWT_SECRET;
if (!dbUrl || !jwtSecret) throw new Error('PLATER_DB_URL and PLATER_JWT_SECRET are required');

const gateway = await createRealtimeGateway(
  { dbUrl, jwtSecret },
  createLogger('bench-gateway', 'warn'),
  optionsFromEnv(),
);
const server = createServer((req, res) => {
  if (req.url?.startsWith(REALTIME_PREFIX)) void gateway.handleRequest!(req, res);
  else res.writeHead(404).end();
});
server.on('upgrade', (req, socket, head) => gateway.handleUpgrade!(req, socket, head));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ url: `http://127.0.0.1:${port}`, pid: process.pid }));
});
// Memory runs collect garbage before reading RSS, so it counts what sockets hold, not what joins left behind.
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
process.once('SIGTERM', async () => {
  await gateway.close!();
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
