/**
 * The slice of Postgres's logical replication protocol the gateway reads: CopyData frames of a
 * START_REPLICATION stream and the pgoutput (proto_version 1) messages inside them. Only what an
 * insert-only consumer needs is decoded (Relation, Insert, Commit); everything else is `other`.
 * https://www.postgresql.org/docs/current/protocol-replication.html
 * https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
 */

export type ReplicationFrame =
  /** XLogData: a pgoutput message and the WAL position it ends at. */
  | { readonly kind: 'xlog'; readonly walEnd: bigint; readonly message: Buffer }
  /** Primary keepalive: `walEnd` is everything the server has sent so far. */
  | { readonly kind: 'keepalive'; readonly walEnd: bigint; readonly replyRequested: boolean }

export interface Column {
  readonly name: string
  readonly typeOid: number
}

export interface Relation {
  readonly id: number
  readonly schema: string
  readonly name: string
  readonly columns: readonly Column[]
}

export type PgOutputMessage =
  | { readonly tag: 'commit'; readonly endLsn: bigint; readonly commitTimeMs: number }
  | { readonly tag: 'relation'; readonly relation: Relation }
  /** Column values in text form (null for SQL NULL), in the relation's column order. */
  | { readonly tag: 'insert'; readonly relationId: number; readonly values: readonly (Buffer | null)[] }
  | { readonly tag: 'other' }

/** Microseconds between the Unix epoch and Postgres's epoch (2000-01-01). */
const PG_EPOCH_US = 946_684_800_000_000n

export function decodeReplicationFrame(data: Buffer): ReplicationFrame | null {
  switch (data[0]) {
    case 0x77: // 'w' XLogData: walStart Int64, walEnd Int64, sendTime Int64, data
      return { kind: 'xlog', walEnd: data.readBigUInt64BE(9), message: data.subarray(25) }
    case 0x6b: // 'k' keepalive: walEnd Int64, sendTime Int64, replyRequested Byte1
      return { kind: 'keepalive', walEnd: data.readBigUInt64BE(1), replyRequested: data[17] === 1 }
    default:
      return null
  }
}

/** Standby status update ('r'): everything up to `lsn` is written, flushed and applied on our side. */
/** `replyRequested` asks the walsender to answer at once with a keepalive: proof that the stream still flows. */
export function standbyStatusUpdate(lsn: bigint, nowMs: number, replyRequested = false): Buffer {
  const buf = Buffer.alloc(34)
  buf[0] = 0x72
  buf.writeBigUInt64BE(lsn, 1)
  buf.writeBigUInt64BE(lsn, 9)
  buf.writeBigUInt64BE(lsn, 17)
  buf.writeBigInt64BE(BigInt(nowMs) * 1000n - PG_EPOCH_US, 25)
  buf[33] = replyRequested ? 1 : 0
  return buf
}

export function decodePgOutput(message: Buffer): PgOutputMessage {
  switch (message[0]) {
    case 0x43: // 'C' Commit: flags Int8, commit LSN Int64, end LSN Int64, commit time Int64
      return {
        tag: 'commit',
        endLsn: message.readBigUInt64BE(10),
        commitTimeMs: pgTimeMs(message.readBigInt64BE(18)),
      }
    case 0x52: // 'R' Relation
      return { tag: 'relation', relation: decodeRelation(message) }
    case 0x49: // 'I' Insert: relation id Int32, 'N', TupleData
      return { tag: 'insert', relationId: message.readUInt32BE(1), values: decodeTuple(message, 6) }
    default:
      return { tag: 'other' }
  }
}

function decodeRelation(message: Buffer): Relation {
  const reader = new Reader(message, 1)
  const id = reader.uint32()
  const schema = reader.cstring()
  const name = reader.cstring()
  reader.skip(1) // replica identity
  const count = reader.uint16()
  const columns: Column[] = []
  for (let i = 0; i < count; i++) {
    reader.skip(1) // flags (part of the key)
    const columnName = reader.cstring()
    const typeOid = reader.uint32()
    reader.skip(4) // type modifier
    columns.push({ name: columnName, typeOid })
  }
  return { id, schema, name, columns }
}

function decodeTuple(message: Buffer, offset: number): (Buffer | null)[] {
  const reader = new Reader(message, offset)
  const count = reader.uint16()
  const values: (Buffer | null)[] = []
  for (let i = 0; i < count; i++) {
    const kind = reader.uint8()
    if (kind === 0x74 || kind === 0x62) {
      // 't' text or 'b' binary: Int32 length, then the bytes
      values.push(reader.bytes(reader.uint32()))
    } else {
      // 'n' null, 'u' unchanged TOASTed value (never on an insert)
      values.push(null)
    }
  }
  return values
}

function pgTimeMs(microsSincePgEpoch: bigint): number {
  return Number((microsSincePgEpoch + PG_EPOCH_US) / 1000n)
}

export function formatLsn(lsn: bigint): string {
  return `${(lsn >> 32n).toString(16).toUpperCase()}/${(lsn & 0xffffffffn).toString(16).toUpperCase()}`
}

class Reader {
  #offset: number
  readonly #buf: Buffer

  constructor(buf: Buffer, offset: number) {
    this.#buf = buf
    this.#offset = offset
  }

  uint8(): number {
    return this.#buf.readUInt8(this.#offset++)
  }

  uint16(): number {
    const value = this.#buf.readUInt16BE(this.#offset)
    this.#offset += 2
    return value
  }

  uint32(): number {
    const value = this.#buf.readUInt32BE(this.#offset)
    this.#offset += 4
    return value
  }

  cstring(): string {
    const end = this.#buf.indexOf(0, this.#offset)
    if (end < 0) throw new RangeError('unterminated string in pgoutput message')
    const value = this.#buf.toString('utf8', this.#offset, end)
    this.#offset = end + 1
    return value
  }

  bytes(length: number): Buffer {
    if (this.#offset + length > this.#buf.length) throw new RangeError('pgoutput value runs past the message')
    const value = this.#buf.subarray(this.#offset, this.#offset + length)
    this.#offset += length
    return value
  }

  skip(length: number): void {
    this.#offset += length
  }
}
