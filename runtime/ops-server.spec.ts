import assert from 'node:assert/strict';

import { createEventHub } from './events.ts';
import { instrument, MetricsRegistry } from './metrics.ts';
import { startOpsServer } from './ops-server.ts';

describe('Runtime > ops server', () => {
  it('serves /healthz and /metrics on 127.0.0.1, metrics fed by runtime events', async () => {
    const metrics = new MetricsRegistry();
    const hub = createEventHub();
    const stop = instrument(hub.events$, metrics);
    let healthy = true;
    const ops = await startOpsServer({
      port: 0,
      metrics,
      health: () => ({ healthy, details: { actor: 'a' } }),
    });
    try {
      assert.match(ops.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      hub.emit('bus.published', 'sim', { stream: 's', records: 3, bytes: 120 });
      hub.emit('bus.lag', 'w', { stream: 's', shardId: 'shard-0', millisBehind: 42 });
      metrics.observe('prestacop_alarm_latency_ms', 'latency', { stage: 'sns' }, 7);
      const h = await fetch(`${ops.url}/healthz`);
      assert.equal(h.status, 200);
      assert.deepEqual(await h.json(), { status: 'ok', actor: 'a' });
      healthy = false;
      assert.equal((await fetch(`${ops.url}/healthz`)).status, 503);
      const text = await (await fetch(`${ops.url}/metrics`)).text();
      assert.match(text, /# TYPE prestacop_published_records_total counter/);
      assert.match(text, /prestacop_published_records_total\{stream="s"\} 3/);
      assert.match(
        text,
        /prestacop_millis_behind_latest\{actor="w",shard="shard-0",stream="s"\} 42/,
      );
      assert.match(text, /prestacop_alarm_latency_ms_bucket\{stage="sns",le="10"\} 1/);
      assert.match(text, /prestacop_alarm_latency_ms_bucket\{stage="sns",le="5"\} 0/);
      assert.match(text, /prestacop_alarm_latency_ms_count\{stage="sns"\} 1/);
      assert.equal((await fetch(`${ops.url}/nope`)).status, 404);
    } finally {
      stop();
      await ops.close();
    }
  });

  it('says clearly when the port is taken', async () => {
    const metrics = new MetricsRegistry();
    const health = () => ({ healthy: true, details: {} });
    const a = await startOpsServer({ port: 0, metrics, health });
    const port = Number(new URL(a.url).port);
    await assert.rejects(startOpsServer({ port, metrics, health }), /in use: pass --ops-port/);
    await a.close();
  });
});
