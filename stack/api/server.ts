import { createServer, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.ts';
import { assertPortFree } from '../ports.ts';
import type { ApiRoute } from './route.ts';
import { HttpError, sendError } from './respond.ts';

export interface ApiServer {
  readonly url: string;
  close(): Promise<void>;
}

export interface ApiServerOptions {
  host: string;
  port: number;
  routes: ApiRoute[];
  log: Logger;
}

export const API_PORT_HINT =
  'Stop whatever listens there (`plater stop` if it is another Plater stack) or choose another port with PLATER_API_PORT.';

// Upgraded (WebSocket) sockets belong to their route; plain keep-alive connections get this long to finish.
const CLOSE_GRACE_MS = 3000;

function pathOf(req: IncomingMessage): string {
  return new URL(req.url ?? '/', 'http://localhost').pathname;
}

/** Longest prefix first, so a route at `/a/b` wins over one at `/a`. Matches whole path segments only. */
function routeFor(routes: ApiRoute[], path: string): ApiRoute | undefined {
  return routes.find((route) => path === route.prefix || path.startsWith(`${route.prefix}/`));
}

/** The stack's single HTTP entry point (like Supabase's API gateway on :54321), dispatching by path prefix. */
export async function startApiServer({ host, port, routes, log }: ApiServerOptions): Promise<ApiServer> {
  await assertPortFree(host, port, 'API', API_PORT_HINT);
  const ordered = [...routes].sort((a, b) => b.prefix.length - a.prefix.length);

  const server = createServer((req, res) => {
    const path = pathOf(req);
    const route = routeFor(ordered, path);
    if (!route?.handleRequest) {
      sendError(res, new HttpError(404, 'not_found', `no route for ${path}`));
      return;
    }
    Promise.resolve(route.handleRequest(req, res)).catch((error: unknown) => {
      log.error(`unhandled error in ${route.prefix}`, { error });
      if (!res.headersSent) sendError(res, new HttpError(500, 'internal_error', 'internal error'));
      else res.destroy();
    });
  });

  server.on('upgrade', (req, socket, head) => {
    const route = routeFor(ordered, pathOf(req));
    if (route?.handleUpgrade) {
      route.handleUpgrade(req, socket, head);
      return;
    }
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  log.info(`listening on http://${host}:${port}`, { routes: ordered.map((route) => route.prefix) });

  return {
    url: `http://${host}:${port}`,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Routes first: they end their long-lived connections (WebSockets) and release database pools.
      for (const route of ordered) {
        try {
          await route.close?.();
        } catch (error) {
          log.warn(`closing ${route.prefix} failed`, { error });
        }
      }
      const timer = setTimeout(() => sockets.forEach((socket) => socket.destroy()), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(timer);
    },
  };
}
