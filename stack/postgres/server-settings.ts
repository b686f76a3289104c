import { totalmem } from 'node:os'

const MB = 1024 * 1024

/**
 * The embedded server's settings. Logical replication feeds the realtime gateway; the rest size a write-heavy
 * server from the machine instead of Postgres's defaults, which assume 128 MB of shared memory and a checkpoint
 * at every half gigabyte of WAL (load/README.md, "Capacity": a write's cost grew by a third as the topic log and
 * realtime.messages outgrew the buffers, and each checkpoint filled the WAL with full-page images).
 * Hosted Supabase chooses its own per compute size; these apply only to the stack's own cluster.
 */
export function serverSettings(totalMemoryBytes = totalmem()) {
  return {
    listen_addresses: '127.0.0.1',
    // TCP only: no socket files in /tmp to collide with a system cluster on the same port number.
    unix_socket_directories: '',
    wal_level: 'logical',
    max_replication_slots: '20',
    max_wal_senders: '20',
    shared_buffers: `${sharedBuffersMb(totalMemoryBytes)}MB`,
    // Fewer checkpoints, so fewer pages written whole into the WAL after each; a crash replays at most this much.
    max_wal_size: '4GB',
    checkpoint_timeout: '15min',
  }
}

/**
 * An eighth of the machine, between Postgres's default and 2 GB: the stack shares its box with the gateway, the
 * functions and whatever the developer runs, and the OS page cache still holds what the buffers do not.
 */
function sharedBuffersMb(totalMemoryBytes: number): number {
  return Math.min(2048, Math.max(128, Math.floor(totalMemoryBytes / 8 / MB)))
}
