/**
 * Concurrent sockets per remote address, per API key and per user. Each open socket holds a file descriptor and
 * a few KB; without caps one caller with the anon key could open sockets until the process runs out of
 * descriptors and nobody else can connect (docs/decisions.md, 2026-12-04). The caps sit far below the
 * descriptor limit, so a flood is refused at the upgrade, in bounded memory, and everyone else keeps connecting.
 */

/** Which cap refused a connection; also the metric it is counted under. */
export type ConnectionCap = 'address' | 'key' | 'user'

export interface ConnectionCapLimits {
  readonly maxConnectionsPerAddress: number
  readonly maxConnectionsPerKey: number
  readonly maxConnectionsPerUser: number
}

/** One place a socket holds: under a cap, for a key (an address, a token, a `sub`). */
export interface ConnectionSlot {
  readonly cap: ConnectionCap
  readonly key: string
}

export class ConnectionCounts {
  readonly #limits: Record<ConnectionCap, number>
  readonly #open = new Map<string, number>()

  constructor(limits: ConnectionCapLimits) {
    this.#limits = {
      address: limits.maxConnectionsPerAddress,
      key: limits.maxConnectionsPerKey,
      user: limits.maxConnectionsPerUser,
    }
  }

  limit(cap: ConnectionCap): number {
    return this.#limits[cap]
  }

  /** Takes every slot, or none and names the first cap that is full. */
  take(slots: readonly ConnectionSlot[]): ConnectionCap | null {
    for (const slot of slots) {
      if ((this.#open.get(id(slot)) ?? 0) >= this.#limits[slot.cap]) return slot.cap
    }
    for (const slot of slots) this.#open.set(id(slot), (this.#open.get(id(slot)) ?? 0) + 1)
    return null
  }

  release(slots: readonly ConnectionSlot[]): void {
    for (const slot of slots) {
      const left = (this.#open.get(id(slot)) ?? 1) - 1
      if (left > 0) this.#open.set(id(slot), left)
      else this.#open.delete(id(slot))
    }
  }

  /** Keys holding at least one socket (an idle gateway holds none). */
  get size(): number {
    return this.#open.size
  }
}

const id = (slot: ConnectionSlot) => `${slot.cap}:${slot.key}`
