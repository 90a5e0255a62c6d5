import assert from 'node:assert/strict';

import { MetricsRegistry, watchEventLoop } from './metrics.ts';

describe('metrics > event loop delay', () => {
  it('reports a loop held for 300 ms as a delay of at least 0.25 s in that window', async () => {
    const registry = new MetricsRegistry();
    const started = Date.now();
    const stop = watchEventLoop(registry, 1_000);
    try {
      await new Promise((r) => setTimeout(r, 50));
      const until = Date.now() + 300;
      while (Date.now() < until); // hold the loop, as a long synchronous burst of work would
      // Read between the first window's end (which holds the burst) and the second's.
      await new Promise((r) => setTimeout(r, started + 1_300 - Date.now()));
      const max = registry.value('prestacop_event_loop_delay_max_seconds', {});
      assert.ok(max !== undefined && max >= 0.25, `max delay ${max}`);
      assert.match(registry.render(), /prestacop_event_loop_delay_p99_seconds \d/);
    } finally {
      stop();
    }
  });
});
