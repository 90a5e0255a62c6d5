/**
 * The worker thread of `decide-thread.ts`: parses the file described by `workerData` ({@link ParseJob}) and posts
 * each parsed batch (its buffers transferred, not copied) as long as the main thread has granted credit. Never
 * throws: a failure is posted as an `error` message.
 */
import { parentPort, workerData } from 'node:worker_threads';

import { parseBatches, type ParseJob } from './decide.ts';
import type { FromWorker, ToWorker } from './decide-thread.ts';

const port = parentPort;
if (port === null)
  throw new Error('parse-worker.ts runs as a worker thread (see decide-thread.ts)');

let credit = 0;
let granted: (() => void) | undefined;
port.on('message', (m: ToWorker) => {
  credit += m.credit;
  granted?.();
  granted = undefined;
});

const post = (m: FromWorker, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer);

try {
  for await (const batch of parseBatches(workerData as ParseJob)) {
    while (credit === 0) await new Promise<void>((resolve) => (granted = resolve));
    credit--;
    post({ kind: 'batch', batch }, [
      batch.lines.buffer as ArrayBuffer,
      batch.starts.buffer as ArrayBuffer,
      batch.ends.buffer as ArrayBuffer,
      batch.bytes.buffer as ArrayBuffer,
    ]);
  }
  post({ kind: 'end' });
} catch (e) {
  post({ kind: 'error', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
port.close();
