import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import { toAwsTarget } from '../../runtime/aws/options.ts';
import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { createEventHub } from '../../runtime/events.ts';
import { commandOfActor } from '../../runtime/launcher.ts';
import { createLogger } from '../../runtime/log.ts';
import { MetricsRegistry } from '../../runtime/metrics.ts';
import { within } from '../../test/helpers/promises.ts';
import { csvToStream } from './actor.ts';

const SAMPLE = new URL('../../test/fixtures/nypd/fy2017-sample.csv', import.meta.url).pathname;

/** A dry run of `files` as the launcher starts it (no stack: a dry run publishes nothing). */
const started = async (files: string[], flags: string[] = []) => {
  const dir = mkdtempSync(join(tmpdir(), 'csv-actor-'));
  const argv = [...files.flatMap((f) => ['--file', f]), '--dry-run', ...flags];
  const cfg = loadConfig(commandOfActor(csvToStream), argv, {
    PRESTACOP_CSV_STATE: join(dir, 'state.json'),
    PRESTACOP_CSV_REJECTS: join(dir, 'rejects.ndjson'),
    LOG_LEVEL: 'silent',
  });
  if (E.isLeft(cfg)) return assert.fail(JSON.stringify(cfg.left));
  const clients = createAwsClients(toAwsTarget(cfg.right));
  const ctx = {
    clients,
    events: createEventHub(),
    metrics: new MetricsRegistry(),
    log: createLogger('csv-to-stream', 'silent'),
  };
  const running = await csvToStream.start(ctx, cfg.right);
  return { running, close: () => clients.destroy() };
};

describe('CsvToStream > actor', () => {
  it('ends on its own with 0 after a dry run, 66 when a file is missing', async () => {
    const ok = await started([SAMPLE]);
    await ok.running.done;
    assert.equal(ok.running.exitCode?.(), 0);
    ok.close();
    const missing = await started([join(tmpdir(), 'no-such-fy2017.csv')]);
    await missing.running.done;
    assert.equal(missing.running.exitCode?.(), 66);
    missing.close();
  });

  it('stops after the current batch when asked: 143 for SIGTERM, 130 for SIGINT', async () => {
    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      const slow = await started([SAMPLE]);
      await slow.running.stop(signal);
      assert.equal(slow.running.exitCode?.(), code, signal);
      slow.close();
    }
  });

  it('stops a paced import without waiting out the pace', async () => {
    // At 1 row/s the first batch (hundreds of rows) puts the pacer minutes ahead: a stop that could not cut its
    // sleep short would wait those minutes. Bounded generously: a stop that works takes one batch to decide.
    const paced = await started([SAMPLE], ['--max-rows-per-sec', '1']);
    try {
      await within(paced.running.stop('SIGTERM'), 10_000, 'stop() of a paced import');
      assert.equal(paced.running.exitCode?.(), 143);
    } finally {
      paced.close();
    }
  });
});
