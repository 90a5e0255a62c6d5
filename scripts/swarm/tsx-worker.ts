/**
 * A worker thread running one of our TypeScript modules. The swarm runs from sources under tsx, and a worker does
 * not inherit tsx's loader: the thread registers it first, then imports the module.
 */
import { Worker } from 'node:worker_threads';

/** @example const worker = tsxWorker(new URL('./fleet-worker.ts', import.meta.url), job); */
export const tsxWorker = (entry: URL, workerData: unknown): Worker => {
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
};
