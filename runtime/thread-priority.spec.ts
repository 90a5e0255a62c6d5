import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';

import { niceOf, threadId } from './thread-priority.ts';

/** Runs `niceThisThread(nice)` in a worker thread (under tsx, as the swarm's fleet thread is), then keeps it alive. */
const niceAWorker = async (nice: number) => {
  const entry = JSON.stringify(new URL('./thread-priority.ts', import.meta.url).href);
  const code = `
    const { parentPort } = require('node:worker_threads');
    import('tsx/esm/api').then(async (tsx) => {
      tsx.register();
      const m = await import(${entry});
      const outcome = m.niceThisThread(${nice});
      parentPort.postMessage({ tid: m.threadId(), outcome });
      parentPort.on('message', () => parentPort.close());
    });`;
  const worker = new Worker(code, { eval: true });
  const said = await new Promise<{ tid: number; outcome: { applied: boolean } }>(
    (resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    },
  );
  return { ...said, worker };
};

describe('Runtime > thread priority', () => {
  if (threadId() === undefined) return; // Linux only: elsewhere the swarm warns and flies at one priority

  it('lowers the calling thread alone: the worker at nice 7, the main thread as it was', async () => {
    const main = threadId()!;
    const before = niceOf(main);
    const { tid, outcome, worker } = await niceAWorker(Math.min(19, before + 7));
    try {
      assert.deepEqual(outcome, { applied: true });
      assert.notEqual(tid, main);
      assert.equal(niceOf(tid), Math.min(19, before + 7));
      assert.equal(niceOf(main), before);
    } finally {
      await worker.terminate();
    }
  });
});
