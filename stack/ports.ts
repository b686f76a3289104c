import { createServer } from 'node:net';

/** Thrown when a port the stack wants is held by another process. */
export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    what: string,
    hint: string,
  ) {
    super(`${what} port ${host}:${port} is already in use. ${hint}`);
    this.name = 'PortInUseError';
  }
}

function tryListen(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(undefined);
      else reject(error);
    });
    server.listen({ host, port, exclusive: true }, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address !== null ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

export async function isPortFree(host: string, port: number): Promise<boolean> {
  return (await tryListen(host, port)) !== undefined;
}

/**
 * Refuses early, with a message naming the setting to change, instead of letting a server fail to bind
 * halfway through start-up (or, worse, letting clients talk to whatever already listens there).
 */
export async function assertPortFree(host: string, port: number, what: string, hint: string): Promise<void> {
  if (!(await isPortFree(host, port))) throw new PortInUseError(host, port, what, hint);
}

/** A port the OS reports free right now (there is a small window before the caller binds it). */
export async function findFreePort(host: string): Promise<number> {
  const port = await tryListen(host, 0);
  if (port === undefined) throw new Error(`could not find a free port on ${host}`);
  return port;
}
