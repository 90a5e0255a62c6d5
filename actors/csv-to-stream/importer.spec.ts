import assert from 'node:assert/strict';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { portFailure } from '../../runtime/errors.ts';
import { within } from '../../test/helpers/promises.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import type { NypdTicket } from '../protocol/nypd-ticket.ts';
import { createStateStore } from './checkpoint.ts';
import { decideBatches, type DecidedBatch, ticketAt, type TicketBatch } from './decide.ts';
import { decideInWorker } from './decide-thread.ts';
import { type ImportPorts, type ImportReport, runImport } from './importer.ts';
import { prepareInputs } from './inputs.ts';
import type { RejectEntry } from './rejects.ts';
import { emptyTally, sumTallies } from './tally.ts';

const FIXTURES = new URL('../../test/fixtures/nypd/', import.meta.url);
const fy2017 = readFileSync(new URL('fy2017-sample.csv', FIXTURES), 'utf8');
const fy2017Lines = fy2017.split('\r\n');

/** A publish port that records ids and can be made to fail from its n-th call on. */
const stream = (failFrom = Infinity) => {
  const published: string[] = [];
  let calls = 0;
  const publish = (tickets: TicketBatch): Promise<void> => {
    if (++calls >= failFrom) return Promise.reject(portFailure('kinesis', new Error('down'), true));
    for (let i = 0; i < tickets.ends.length; i++)
      published.push((JSON.parse(Buffer.from(ticketAt(tickets, i)).toString()) as NypdTicket).id);
    return new Promise((resolve) => setTimeout(resolve, 1)); // acknowledged a little later, like the stream
  };
  return { publish, published };
};

const totals = (r: ImportReport) => sumTallies(r.files.map((f) => f.tally));

for (const thread of ['this thread', 'a worker thread'] as const)
  describe(`CsvToStream > runImport, deciding in ${thread}`, () => {
    let dir: string;
    let ports: (extra?: Partial<ImportPorts>) => ImportPorts;
    const rejects = () =>
      existsSync(join(dir, 'rejects.ndjson'))
        ? readFileSync(join(dir, 'rejects.ndjson'), 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as RejectEntry)
        : [];
    const options = (files: string[]) => ({
      files,
      restart: false,
      today: '2026-01-01',
      chunkBytes: 16 * 1024,
    });

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), 'csv-importer-'));
      ports = (extra = {}) => ({
        state: createStateStore(join(dir, 'state.json')),
        rejectsPath: join(dir, 'rejects.ndjson'),
        now: Date.now,
        sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
        notice: () => undefined,
        decide: thread === 'a worker thread' ? decideInWorker : undefined,
        ...extra,
      });
    });
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    it('counts every row, BOM and CRLF read, a wrapped record and a cut one rejected with their lines and text', async () => {
      const lines = [...fy2017Lines.slice(0, 2_100)];
      lines[10] = `"${lines[10]!.replace(/"/g, '""')}"`; // line 11: the whole record in quotes
      const cut =
        '8480309064,51771JW,NY,COM,01/26/2017,64,VAN,INTER,T,17850,10210,10110,88888888,17,17,17,363557,T102,L,0256P,,NY,F,204,E 43rd St,,0,408,C8,,YYYYYYY,,,BROWN,,2007,,0,6,"64-No STD Ex';
      const path = join(dir, 'fy2017-dirty.csv');
      writeFileSync(path, `\ufeff${lines.join('\r\n')}\r\n${cut}`);
      const { publish, published } = stream();
      const report = await runImport(options([path]), ports({ publish }));
      const t = totals(report);
      assert.deepEqual([t.rowsRead, t.accepted, t.rejected, t.published], [2_100, 2_098, 2, 2_098]);
      assert.deepEqual(t.rejectsByReason, { field_count: 1, csv_syntax: 1 });
      assert.equal(new Set(published).size, 2_098);
      const [wrapped, broken] = rejects();
      assert.deepEqual(wrapped, {
        line: 11,
        reason: 'field_count',
        detail: 'expected 43 fields, got 1',
        raw: lines[10],
        file: 'fy2017-dirty.csv',
      });
      assert.deepEqual([broken!.line, broken!.reason, broken!.raw], [2_101, 'csv_syntax', cut]);
      assert.equal(report.files[0]!.layout, '43');
      assert.ok(report.files[0]!.done);
    });

    it('resumes after a failed stream from the last acknowledged batch: every row published, each reject once', async () => {
      const src = join(dir, 'fy2017.csv');
      writeFileSync(src, `${fy2017Lines.slice(0, 2_100).join('\r\n')}\r\n"wrapped,line"\r\n`);
      const first = stream(6);
      await assert.rejects(runImport(options([src]), ports({ publish: first.publish })), {
        _tag: 'PortFailure',
      });
      const saved = createStateStore(join(dir, 'state.json')).load();
      assert.ok(
        saved._tag === 'Right' && saved.right.files[0]!.tally.rowsRead > 0,
        'a checkpoint was written',
      );
      const second = stream();
      const report = await runImport(options([src]), ports({ publish: second.publish }));
      const all = new Set([...first.published, ...second.published]);
      assert.equal(all.size, 2_099);
      assert.ok(report.files[0]!.resumedFrom!.rowsRead > 0);
      assert.ok(second.published.length < 2_099, 'resumed, not restarted');
      assert.deepEqual([totals(report).rowsRead, totals(report).published], [2_100, 2_099]);
      assert.deepEqual(
        rejects().map((r) => r.line),
        [2_101],
      );
    });

    it('does nothing again for a finished job, starts over with --restart or when a file changed', async () => {
      const src = join(dir, 'fy2017.csv');
      copyFileSync(new URL('fy2017-sample.csv', FIXTURES), src);
      await runImport(options([src]), ports({ publish: stream().publish }));
      const again = stream();
      const report = await runImport(options([src]), ports({ publish: again.publish }));
      assert.equal(again.published.length, 0);
      assert.equal(totals(report).rowsRead, 2_099);
      const restarted = stream();
      await runImport({ ...options([src]), restart: true }, ports({ publish: restarted.publish }));
      assert.equal(restarted.published.length, 2_099);
      writeFileSync(src, fy2017.replace('5092469481', '5092469482'));
      const notices: string[] = [];
      const changed = stream();
      await runImport(
        options([src]),
        ports({ publish: changed.publish, notice: (m) => notices.push(m) }),
      );
      assert.equal(changed.published.length, 2_099);
      assert.match(notices.join(), /another job/);
    });

    it('stops after the current batch when aborted, checkpointed, and the next run finishes the job', async () => {
      const src = join(dir, 'fy2014-sample.csv');
      copyFileSync(new URL('fy2014-sample.csv', FIXTURES), src);
      const stop = new AbortController();
      const first = stream();
      const report = await runImport(
        { ...options([src]), signal: stop.signal },
        ports({ publish: first.publish, progress: (p) => p.rowsRead > 1_000 && stop.abort() }),
      );
      assert.ok(report.interrupted && !report.files[0]!.done);
      assert.equal(first.published.length, totals(report).published);
      const second = stream();
      const done = await runImport(options([src]), ports({ publish: second.publish }));
      assert.equal(first.published.length + second.published.length, 4_999); // nothing twice: acked at the stop
      assert.ok(done.files[0]!.done);
    });

    it('stops a paced import at once: the pacer sleeps only until the stop', async () => {
      const src = join(dir, 'fy2014-sample.csv');
      copyFileSync(new URL('fy2014-sample.csv', FIXTURES), src);
      const stop = new AbortController();
      const sleeps: number[] = [];
      // Ends only when its signal aborts: a pacer that gave it none would sleep for ever.
      const sleep = (ms: number, signal?: AbortSignal) => {
        sleeps.push(ms);
        return new Promise<void>((resolve) =>
          signal?.aborted ? resolve() : signal?.addEventListener('abort', () => resolve()),
        );
      };
      const run = runImport(
        { ...options([src]), maxRowsPerSec: 1, signal: stop.signal },
        ports({ publish: stream().publish, sleep }),
      );
      await waitFor('the pacer asleep', () => sleeps.length, 10_000);
      assert.ok(sleeps[0]! > 10_000, `a batch at 1 row/s is far ahead: ${sleeps[0]} ms`);
      stop.abort();
      const report = await within(run, 2_000, 'the import after the stop');
      assert.ok(report.interrupted && !report.files[0]!.done);
      assert.equal(sleeps.length, 1);
    });

    it('publishes nothing and keeps no state in a dry run, and overwrites an old rejects file', async () => {
      writeFileSync(join(dir, 'rejects.ndjson'), 'old\n');
      const src = join(dir, 'f.csv');
      writeFileSync(
        src,
        'Summons Number,Issue Date,Violation Code\n1,01/02/2017,21\nx,01/02/2017,21\n',
      );
      const report = await runImport(options([src]), ports({ state: undefined }));
      assert.deepEqual(
        [totals(report).accepted, totals(report).rejected, totals(report).published],
        [1, 1, 0],
      );
      assert.ok(report.dryRun && !existsSync(join(dir, 'state.json')));
      assert.deepEqual(
        rejects().map((r) => [r.line, r.reason, r.raw]),
        [[3, 'summons_number_malformed', 'x,01/02/2017,21']],
      );
    });

    it('refuses a file without the required columns before publishing anything', async () => {
      const good = join(dir, 'good.csv');
      const bad = join(dir, 'bad.csv');
      copyFileSync(new URL('fy2017-sample.csv', FIXTURES), good);
      writeFileSync(bad, 'Plate ID,Issue Date\nX,01/02/2017\n');
      const s = stream();
      await assert.rejects(runImport(options([good, bad]), ports({ publish: s.publish })), {
        _tag: 'InputError',
        problems: [
          'missing required column "Summons Number"',
          'missing required column "Violation Code"',
        ],
      });
      await assert.rejects(runImport(options([join(dir, 'nope.csv')]), ports()), {
        _tag: 'InputError',
        missing: true,
      });
      assert.equal(s.published.length, 0);
    });
  });

describe('CsvToStream > decideInWorker', () => {
  /** The whole file after its header, in 64 KiB batches. */
  const jobFor = async (path: string, plausibleIssueDates: { from: string; to: string }) => {
    const [prepared] = await prepareInputs([path]);
    return {
      path,
      layout: prepared!.layout,
      from: prepared!.afterHeader,
      tally: emptyTally(),
      plausibleIssueDates,
      chunkBytes: 64 * 1024,
      encode: true,
    };
  };
  const collect = async (batches: AsyncIterable<DecidedBatch>) => {
    const out: DecidedBatch[] = [];
    for await (const b of batches) out.push(b);
    return out;
  };

  it('hands out what decideBatches does, batch for batch, the JSON bytes included', async () => {
    const path = new URL('fy2014-sample.csv', FIXTURES).pathname;
    const job = await jobFor(path, { from: '2013-01-01', to: '2014-12-31' });
    const [here, there] = await Promise.all([
      collect(decideBatches(job)),
      collect(decideInWorker(job)),
    ]);
    assert.ok(here.length > 5, `${here.length} batches`);
    assert.equal(there.length, here.length);
    for (const [i, b] of here.entries()) {
      const w = there[i]!;
      assert.deepEqual(
        [w.next, w.rows, w.bytesRead, w.tally, w.rejects],
        [b.next, b.rows, b.bytesRead, b.tally, b.rejects],
      );
      assert.deepEqual(
        [Buffer.from(w.tickets.json), [...w.tickets.ends], w.tickets.keys],
        [Buffer.from(b.tickets.json), [...b.tickets.ends], b.tickets.keys],
      );
    }
    assert.equal(here.at(-1)!.tally.rowsRead, 4_999);
  });

  it("keeps fields holding the separator characters exact, and cuts a reject's text from the bytes", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prestacop-sep-'));
    try {
      const [header, first, second, third] = fy2017Lines;
      const withSep = (line: string, sep: string) => {
        const f = line.split(',');
        f[1] = `AB${sep}C`; // Plate ID
        return f.join(',');
      };
      const badSummons = `X${third!}`;
      const path = join(dir, 'fy2017-separators.csv');
      writeFileSync(
        path,
        [header, withSep(first!, '\x1f'), second, withSep(third!, '\x1e'), badSummons, ''].join(
          '\r\n',
        ),
      );
      const job = await jobFor(path, { from: '2016-01-01', to: '2017-12-31' });
      for (const decide of [decideBatches, decideInWorker]) {
        const batches = await collect(decide(job));
        const tickets = batches.flatMap((b) =>
          Array.from(
            { length: b.tickets.ends.length },
            (_, i) => JSON.parse(Buffer.from(ticketAt(b.tickets, i)).toString()) as NypdTicket,
          ),
        );
        assert.deepEqual(
          tickets.map((t) => t.plateId),
          ['AB\x1fC', second!.split(',')[1]!.trim(), 'AB\x1eC'],
        );
        assert.deepEqual(
          batches.flatMap((b) => b.rejects).map((r) => [r.line, r.reason, r.raw]),
          [[5, 'summons_number_malformed', badSummons]],
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with the reason when the worker cannot read the file', async () => {
    const job = {
      path: '/nonexistent/fy2017.csv',
      layout: { width: 3, at: {}, kind: 'subset' as const, ignored: [] },
      from: { byte: 0, line: 1 },
      tally: emptyTally(),
      plausibleIssueDates: { from: '2016-01-01', to: '2017-12-31' },
      chunkBytes: 1024,
      encode: true,
    };
    await assert.rejects(
      (async () => {
        for await (const _ of decideInWorker(job)) assert.fail('no batch expected');
      })(),
      /deciding \/nonexistent\/fy2017\.csv failed in its worker thread: .*ENOENT/,
    );
  });
});
