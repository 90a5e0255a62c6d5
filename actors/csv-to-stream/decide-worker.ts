/**
 * The worker thread of `decide-thread.ts`: decides the file described by `workerData` ({@link DecideJob}) and
 * posts each batch (its ticket buffers transferred, not copied) as long as the main thread has granted credit.
 * Never throws: a failure is posted as an `error` message.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { decideBatches, type DecideJob } from './decide.ts';
import type { FromWorker, ToWorker } from './decide-thread.ts';

const port = parentPort;
if (port === null)
  throw new Error('decide-worker.ts runs as a worker thread (see decide-thread.ts)');

let credit = 0;
let granted: (() => void) | undefined;
port.on('message', (m: ToWorker) => {
  credit += m.credit;
  granted?.();
  granted = undefined;
});

const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

try {
  for await (const batch of decideBatches(workerData as DecideJob)) {
    while (credit === 0) await new Promise<void>((resolve) => (granted = resolve));
    credit--;
    post({ kind: 'batch', batch }, [
      batch.tickets.json.buffer as ArrayBuffer,
      batch.tickets.ends.buffer as ArrayBuffer,
    ]);
  }
  post({ kind: 'end' });
} catch (e) {
  post({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
port.close();
