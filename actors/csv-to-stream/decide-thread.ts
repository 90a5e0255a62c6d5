/**
 * {@link decideBatches} on two threads, with the same iterator: a worker thread reads and parses
 * ({@link parseBatches}: csv-parse, about half of an import's CPU) while the main thread decides each record,
 * turns tickets into JSON ({@link decideParsed}), publishes, writes the rejects and checkpoints. The worker runs
 * ahead by at most {@link AHEAD} batches (credit granted as the main thread takes them), so memory stays bounded
 * whatever the file size. Leaving the loop early terminates it.
 *
 * Under tsx (tests, the sources run directly) the worker is `parse-worker.ts`, loaded through tsx's API; in the
 * bundle (`scripts/bundle.ts`) it is `parse-worker.mjs` beside `main.mjs`.
 */
import { Worker } from 'node:worker_threads';

import {
  type DecidedBatch,
  type DecideJob,
  decideParsed,
  type ParsedBatch,
  type ParseJob,
} from './decide.ts';
import { copyTally } from './tally.ts';

/**
 * The worker's heap. Its live data is a few MB (one read chunk, its records, the batch being posted); bounds well
 * above it keep the heap, and so the RSS, from growing as V8 would by default (190-240 MB for the process without
 * bounds). The young generation is the larger part: each chunk's ~28,000 field strings die young there, where a
 * 4 MB one promoted them (GC 18 % of the worker's time) and cost ~7 % in speed.
 */
const RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: 32 };
/** Batches parsed but not yet taken by the main thread. */
const AHEAD = 3;

/** Main thread → worker: more batches may be posted. */
export interface ToWorker {
  readonly credit: number;
}

/** Worker → main thread. */
export type FromWorker =
  | { readonly kind: 'batch'; readonly batch: ParsedBatch }
  | { readonly kind: 'end' }
  | { readonly kind: 'error'; readonly message: string };

/**
 * Under tsx the sources run as they are: the worker registers tsx's loader, then imports `parse-worker.ts` (a
 * worker does not inherit the parent's loader, and `--import tsx` in its execArgv does not cover its entry). The
 * bundle has a plain module beside `main.mjs`.
 */
const fromSources = import.meta.url.endsWith('.ts');
const newWorker = (job: ParseJob): Worker => {
  const workerData: ParseJob = { path: job.path, from: job.from, chunkBytes: job.chunkBytes };
  if (!fromSources)
    return new Worker(new URL('./parse-worker.mjs', import.meta.url), {
      workerData,
      resourceLimits: RESOURCE_LIMITS,
    });
  const entry = JSON.stringify(new URL('./parse-worker.ts', import.meta.url).href);
  const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${entry}); })`;
  return new Worker(boot, { eval: true, workerData, resourceLimits: RESOURCE_LIMITS });
};

/**
 * The batches of `job.path`, parsed in a worker thread and decided in this one. Throws what the worker failed with
 * (a read error).
 *
 * @example
 * for await (const b of decideInWorker(job)) await publish(b.tickets);
 */
export async function* decideInWorker(job: DecideJob): AsyncGenerator<DecidedBatch> {
  const worker = newWorker(job);
  const tally = copyTally(job.tally);
  const inbox: FromWorker[] = [];
  let wake: (() => void) | undefined;
  const arrive = (m: FromWorker): void => {
    inbox.push(m);
    wake?.();
    wake = undefined;
  };
  worker.on('message', arrive);
  worker.on('error', (e: Error) => arrive({ kind: 'error', message: e.stack ?? e.message }));
  worker.on('exit', (code) => arrive({ kind: 'error', message: `worker exited (code ${code})` }));
  try {
    worker.postMessage({ credit: AHEAD } satisfies ToWorker);
    for (;;) {
      const m = inbox.shift();
      if (m === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (m.kind === 'end') return;
      if (m.kind === 'error') {
        throw new Error(`deciding ${job.path} failed in its worker thread: ${m.message}`);
      }
      worker.postMessage({ credit: 1 } satisfies ToWorker); // parse the next while this one is decided
      yield decideParsed(m.batch, job, tally);
    }
  } finally {
    worker.removeAllListeners();
    await worker.terminate();
  }
}
