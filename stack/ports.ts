import { createServer } from 'node:net'

/** Thrown when a port the stack wants is held by another process. */
export class PortInUseError extends Error {
  constructor(
    readonly host: string,
    readonly port: number,
    what: string,
    hint: string,
  ) {
    super(`${what} port ${host}:${port} is already in use. ${hint}`)
    this.name = 'PortInUseError'
  }
}

export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolve(false)
      else reject(error)
    })
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)))
  })
}

/**
 * Refuses early, with a message naming the setting to change, instead of letting a server fail to bind
 * halfway through start-up (or, worse, letting clients talk to whatever already listens there).
 */
export async function assertPortFree(host: string, port: number, what: string, hint: string): Promise<void> {
  if (!(await isPortFree(host, port))) throw new PortInUseError(host, port, what, hint)
}

/**
 * `count` distinct ports the OS reports free right now: all are held open together while the OS picks them, so
 * they cannot repeat. (There is a small window before the caller binds them.)
 */
export async function findFreePorts(host: string, count: number): Promise<number[]> {
  const servers = Array.from({ length: count }, () => createServer())
  try {
    return await Promise.all(
      servers.map(
        (server) =>
          new Promise<number>((resolve, reject) => {
            server.once('error', reject)
            server.listen({ host, port: 0, exclusive: true }, () => {
              const address = server.address()
              if (typeof address === 'object' && address !== null) resolve(address.port)
              else reject(new Error(`could not find a free port on ${host}`))
            })
          }),
      ),
    )
  } finally {
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))))
  }
}
