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

describe('metrics > series keys', () => {
  it('names one series whatever order the labels come in, sorted by label name', () => {
    const registry = new MetricsRegistry();
    registry.inc('c_total', 'c', { b: '2', a: '1', c: '3' });
    registry.inc('c_total', 'c', { c: '3', a: '1', b: '2' });
    registry.inc('c_total', 'c', { a: '1', c: '3', b: '2' }, 5);
    assert.equal(registry.value('c_total', { c: '3', b: '2', a: '1' }), 7);
    assert.match(registry.render(), /^c_total\{a="1",b="2",c="3"\} 7$/m);
  });

  it('escapes a backslash, a double quote and a newline in a label value, and keeps other values as they are', () => {
    const registry = new MetricsRegistry();
    registry.inc('e_total', 'e', { tag: 'a\\b"c\nd' });
    registry.inc('e_total', 'e', { tag: 'plain' });
    const lines = registry.render().split('\n');
    assert.ok(lines.includes('e_total{tag="a\\\\b\\"c\\nd"} 1'), lines.join('\n'));
    assert.ok(lines.includes('e_total{tag="plain"} 1'), lines.join('\n'));
  });
});
