/**
 * How a server script of the harness (./gateway/serve.ts, the baselines) ends: on SIGTERM, the harness's own stop,
 * and when the harness is gone however it died (SIGKILL, an OOM kill), which closes the IPC channel it was started
 * with (./gateway/process.ts). Otherwise a killed benchmark leaves a gateway behind, still holding its
 * replication slot, and Postgres keeps WAL for it until someone notices.
 */
export function endWithHarness(close: () => Promise<void> | void): void {
  let ending = false
  const end = async () => {
    if (ending) return
    ending = true
    await close()
    process.exit(0)
  }
  process.once('SIGTERM', end)
  process.once('disconnect', end)
}
