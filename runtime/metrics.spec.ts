import assert from 'node:assert/strict';

import { MetricsRegistry, RecordingRegistry, replayMetrics, watchEventLoop } from './metrics.ts';

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

describe('metrics > a registry in another thread', () => {
  // What an actor in a worker thread counts reaches the swarm's /metrics only through take() and replayMetrics().
  const count = (registry: MetricsRegistry): void => {
    registry.inc('a_total', 'a', { actor: 'x' });
    registry.inc('a_total', 'a', { actor: 'x' }, 4);
    registry.set('g', 'g', {}, 3);
    registry.set('g', 'g', {}, 2);
    registry.observe('h_ms', 'h', { actor: 'x' }, 7);
    registry.observe('h_ms', 'h', {}, 0.5, [1, 2]);
  };

  it('replays every call, in order, so the other registry renders the same series and values', () => {
    const direct = new MetricsRegistry();
    count(direct);
    const recording = new RecordingRegistry();
    count(recording);
    const replayed = new MetricsRegistry();
    replayMetrics(replayed, recording.take());
    assert.equal(replayed.render(), direct.render());
    assert.equal(recording.render(), direct.render()); // it still counts for itself
  });

  it('hands each call over once: a second take() has only what came after the first', () => {
    const recording = new RecordingRegistry();
    recording.inc('a_total', 'a');
    assert.equal(recording.take().length, 1);
    recording.inc('a_total', 'a', {}, 2);
    const replayed = new MetricsRegistry();
    replayMetrics(replayed, recording.take());
    assert.equal(replayed.value('a_total'), 2);
    assert.deepEqual(recording.take(), []);
  });
});
