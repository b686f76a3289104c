import { Worker } from 'node:worker_threads'

/**
 * A worker thread running a TypeScript module of the harness. Loader hooks are per thread and Node 20 loads a
 * worker's entry before `--import` hooks apply, so the worker registers tsx itself, then imports the module.
 */
export function startTsWorker(entry: URL, workerData: unknown): Worker {
  return new Worker(
    `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); });`,
    {
      eval: true,
      workerData,
    },
  )
}
