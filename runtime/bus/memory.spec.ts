import { busContract } from './bus.contract.ts';
import { createMemoryBackend, createMemoryBus } from './memory.ts';

let counter = 0;
busContract('memory', () => {
  const backend = createMemoryBackend({ shardsPerStream: 4 });
  return Promise.resolve({
    open: () => Promise.resolve(createMemoryBus(backend)),
    newStream: () => Promise.resolve(`contract-${++counter}`),
    patienceMs: 2_000,
    quietMs: 50,
  });
});
