/**
 * The analysis against what the rest of the system writes: csv-to-stream's decisions on the same NYPD files (its
 * `--dry-run` summary and its normaliser), and the archive and hot tables a small swarm run fills on the shared
 * test stack, read back by `npm run analysis` as a user runs it. Counts are compared with an independent reading
 * of the same stores, not with the writers' counters (other tests may share the stack's bucket and tables).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';

import { PutObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { parse } from 'csv-parse/sync';

import { decideBatches, ticketAt } from '../../actors/csv-to-stream/decide.ts';
import { prepareInputs } from '../../actors/csv-to-stream/inputs.ts';
import { emptyTally } from '../../actors/csv-to-stream/tally.ts';
import {
  AlarmEscalated,
  AlarmResolved,
  DEFAULT_HUMAN_CODES,
  loadResourcesOrThrow,
  loadViolationCodes,
  type MessageId,
  toAlarmEscalated,
  toAlarmResolved,
  type UtcTime,
} from '../../actors/protocol/index.ts';
import { archivedLines } from '../../actors/stream-to-storage/readers.ts';
import { createEngine } from '../../analysis/engine/duckdb.ts';
import { tableItems } from '../../analysis/load/records.ts';
import { runAnalysis, type RunResult } from '../../analysis/run.ts';
import { E } from '../../runtime/codec.ts';
import { stackEnv } from '../../runtime/local-stack/index.ts';
import { ndjsonGz } from '../helpers/archive.ts';
import { archivedTicket } from '../helpers/messages.ts';
import { R_HAND_MADE, rWriteCsv } from '../helpers/r-write-csv.ts';
import { useStack } from '../helpers/stack.ts';

const run = promisify(execFile);
const FIXTURES = new URL('../fixtures/', import.meta.url).pathname;
const first = async <A>(items: AsyncIterable<A>): Promise<A[]> => {
  for await (const item of items) return [item];
  return [];
};
const csvRows = (text: string): Array<Record<string, string>> => parse(text, { columns: true });

/** What csv-to-stream's `--dry-run --summary` says per file. */
interface DryRunFile {
  readonly file: string;
  readonly rowsRead: number;
  readonly accepted: number;
  readonly rejected: number;
  readonly rejectsByReason: Record<string, number>;
  readonly findings: Record<string, number>;
}

/** Accepted rows per code, by csv-to-stream's own reader and normaliser (R-style files' `NA` handling included). */
const codesByNormaliser = async (file: string): Promise<Map<string, number>> => {
  const counts = new Map<string, number>();
  const [input] = await prepareInputs([file]);
  const job = {
    ...{ path: file, layout: input!.layout, from: input!.afterHeader, tally: emptyTally() },
    ...{ plausibleIssueDates: { from: '0001-01-01', to: '9999-12-31' }, chunkBytes: 1 << 16 },
    encode: true,
  };
  for await (const batch of decideBatches(job))
    for (let i = 0; i < batch.tickets.ends.length; i++) {
      const ticket = JSON.parse(Buffer.from(ticketAt(batch.tickets, i)).toString()) as {
        violationCode?: number;
      };
      const code = String(ticket.violationCode ?? '');
      counts.set(code, (counts.get(code) ?? 0) + 1);
    }
  return counts;
};

describe('Analysis > the same decisions as csv-to-stream', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'analysis-parity-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('per file: rows read, accepted, rejected by reason, findings and counts per code equal its dry run', async () => {
    const generated = join(dir, 'fy2017-generated.csv');
    await run(process.execPath, [
      '--import',
      'tsx',
      'scripts/gen-nypd.ts',
      '--rows',
      '20000',
      '--out',
      generated,
      '--dirty',
      '0.05',
      '--seed',
      '3',
    ]);
    const raws = [
      join(FIXTURES, 'nypd', 'fy2014-sample.csv'),
      join(FIXTURES, 'nypd', 'fy2017-sample.csv'),
      join(FIXTURES, 'analysis', 'edge-cases.csv'),
    ];
    // The same files re-saved by R's write.csv (R names, row names, NA), and a small one written by hand.
    const resaved = raws.map((f) => join(dir, basename(f).replace(/\.csv$/, '-r.csv')));
    for (const [i, f] of raws.entries()) writeFileSync(resaved[i]!, await rWriteCsv(f));
    const hand = join(dir, 'fy2017-hand-r.csv');
    writeFileSync(hand, R_HAND_MADE);
    const files = [...raws, generated, ...resaved, hand];
    const summaryFile = join(dir, 'summary.json');
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'actors/csv-to-stream/main.ts',
        ...files.flatMap((f) => ['--file', f]),
        '--dry-run',
        '--summary',
        summaryFile,
        '--rejects',
        join(dir, 'rejects.ndjson'),
        '--state',
        join(dir, 'state.json'),
        '--log-level',
        'warn',
      ],
      { timeout: 100_000 },
    );
    const dry = (JSON.parse(readFileSync(summaryFile, 'utf8')) as { files: DryRunFile[] }).files;
    const codes = loadViolationCodes();
    if (E.isLeft(codes)) throw new Error(codes.left.issues.join());
    for (const [i, file] of files.entries()) {
      const engine = await createEngine({ workDir: join(dir, `engine-${i}`) });
      const today = new Date().toISOString().slice(0, 10); // the dry run's own clock, for plausible dates
      let result: RunResult;
      try {
        result = await runAnalysis(
          {
            nypdFiles: [file],
            codes: codes.right,
            humanCodes: DEFAULT_HUMAN_CODES,
            today,
            top: 50,
          },
          { engine, progress: () => undefined },
        );
      } finally {
        engine.close();
      }
      const { counts, files: out } = result;
      const [ours] = counts.sources;
      const theirs = dry[i]!;
      assert.deepEqual(
        [ours?.rowsRead, ours?.accepted, ours?.rejected, ours?.rejectsByReason],
        [theirs.rowsRead, theirs.accepted, theirs.rejected, theirs.rejectsByReason],
        file,
      );
      assert.deepEqual(
        new Map(ours?.acceptedByCode.map((c) => [String(c.code ?? ''), c.n])),
        await codesByNormaliser(file),
        `${file}: counts per code`,
      );
      // Findings are counted after deduplication: equal when a file has no duplicate summons.
      if (counts.dedup.duplicatedIds === 0) {
        const findings = Object.fromEntries(
          csvRows(out.get('data_quality.csv') ?? '')
            .filter((r) => r.check === 'finding' && r.rows !== '0')
            .map((r) => [r.key!, Number(r.rows)]),
        );
        const {
          non_ascii_text: _,
          number_unreadable: __,
          issue_time_in_dst_gap: ___,
          ...comparable
        } = theirs.findings;
        assert.deepEqual(findings, comparable, `${file}: findings`);
      }
    }
    // A re-saved file gives its source's dry run: rows, rejects by reason, findings, counts per code.
    const facts = (f: DryRunFile) => [f.rowsRead, f.accepted, f.rejectsByReason, f.findings];
    for (const [i, raw] of raws.entries())
      assert.deepEqual(facts(dry[files.indexOf(resaved[i]!)]!), facts(dry[i]!), raw);
    assert.deepEqual(
      [dry.at(-1)?.accepted, dry.at(-1)?.rejectsByReason],
      [3, { summons_number_missing: 1, violation_code_not_numeric: 1, issue_date_missing: 1 }],
    );
  });
});

describe('Analysis > a small swarm run, read back from the archive and the hot tables', function () {
  this.timeout(120_000);
  const dir = mkdtempSync(join(tmpdir(), 'analysis-swarm-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every stored message, violation and alarm once, as an independent reading does', async () => {
    const stack = await useStack();
    const spec = loadResourcesOrThrow();
    const env = { ...process.env, ...stackEnv(stack), PRESTACOP_SWARM_STACK: 'external' };
    await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'scripts/swarm.ts',
        '--drones',
        '10',
        '--alarm-rate',
        '0.1',
        '--interval',
        '500',
        '--duration',
        '3',
        '--drain-timeout',
        '30',
        '--seed',
        '11',
        '--summary',
        join(dir, 'summary.json'),
        '--log-level',
        'warn',
      ],
      { env, timeout: 100_000 },
    );
    const sent = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { sent: number })
      .sent;
    // Imported history too: two archive batches, the second repeating one ticket (a raw copy).
    const put = (key: string, lines: unknown[]) =>
      stack.clients.s3.send(
        new PutObjectCommand({
          Bucket: spec.buckets.archive.name,
          Key: `archive/type=nypd.ticket/date=2026-11-27/hour=00/${key}.ndjson.gz`,
          Body: ndjsonGz(lines),
        }),
      );
    const base = `9${Date.now()}`.slice(0, 12);
    await put(`test-${base}-a`, [archivedTicket(`${base}1`), archivedTicket(`${base}2`)]);
    await put(`test-${base}-b`, [archivedTicket(`${base}2`), archivedTicket(`${base}3`)]);

    // An operator's decisions in the console's event table: acknowledged 42 s after the alarm, then confirmed;
    // an escalation beside them is not a decision.
    const [raised] = await first(tableItems(stack.clients.doc, spec.tables.alarms.name));
    assert.ok(raised !== undefined, 'the swarm raised alarms');
    const alarmId = String(raised.id) as MessageId;
    const after = (s: number) =>
      new Date(Date.parse(String(raised.raisedAt)) + s * 1000).toISOString() as UtcTime;
    for (const event of [
      AlarmEscalated.encode(
        toAlarmEscalated({
          alarmId,
          level: 1,
          reason: 'unacknowledged',
          afterMs: 20_000,
          escalatedAt: after(20),
        }),
      ),
      AlarmResolved.encode(
        toAlarmResolved({ alarmId, decision: 'acknowledged', by: 'op-1', at: after(42) }),
      ),
      AlarmResolved.encode(
        toAlarmResolved({ alarmId, decision: 'confirmed', by: 'op-1', at: after(90) }),
      ),
    ])
      await stack.clients.doc.send(
        new PutCommand({ TableName: spec.tables.alarmEvents.name, Item: event }),
      );

    const out = join(dir, 'report');
    const { stdout } = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        'analysis/main.ts',
        '--out',
        out,
        '--archive',
        '--dynamo',
        '--cache',
        join(dir, 'cache'),
      ],
      { env, timeout: 100_000 },
    );
    assert.match(stdout, /report: .*index\.html/);

    // The independent reading: every distinct id in the archive and the tables.
    const ids = async (type: string) => {
      const seen = new Map<string, Record<string, unknown>>();
      for await (const line of archivedLines(stack.clients.s3, spec.buckets.archive.name, {
        type,
      })) {
        const json = JSON.parse(line) as Record<string, unknown>;
        seen.set(String(json.id), json);
      }
      return seen;
    };
    const messages = await ids('drone.message');
    for await (const item of tableItems(stack.clients.doc, spec.tables.messages.name))
      messages.set(String(item.id), item);
    const alarms = new Set<string>();
    for await (const item of tableItems(stack.clients.doc, spec.tables.alarms.name))
      alarms.add(String(item.id));
    const tickets = await ids('nypd.ticket');

    const volume = Object.fromEntries(
      csvRows(readFileSync(join(out, 'volumes.csv'), 'utf8')).map((r) => [
        r.metric!,
        Number(r.count),
      ]),
    );
    assert.ok(messages.size >= sent, `${messages.size} stored of ${sent} sent`);
    assert.equal(volume.drone_messages, messages.size);
    assert.equal(
      volume.drone_violations,
      [...messages.values()].filter((m) => m.violationCode !== undefined).length,
    );
    assert.equal(volume.alarms, alarms.size);
    assert.ok(alarms.size > 0, 'the swarm raised alarms');
    assert.equal(volume.nypd_tickets, tickets.size);
    const drones = csvRows(readFileSync(join(out, 'drones.csv'), 'utf8'));
    assert.equal(
      drones.reduce((s, d) => s + Number(d.messages), 0),
      messages.size,
    );
    const quality = csvRows(readFileSync(join(out, 'data_quality.csv'), 'utf8'));
    assert.ok(
      Number(quality.find((r) => r.key === 'nypd_copies_dropped')?.rows) >= 1,
      'the repeated ticket dropped',
    );
    const [ack] = csvRows(readFileSync(join(out, 'alarm_ack.csv'), 'utf8'));
    assert.deepEqual(
      [ack?.alarms_decided, Number(ack?.median_seconds)],
      ['1', 42],
      'time to acknowledge',
    );
    assert.match(readFileSync(join(out, 'index.html'), 'utf8'), /Drone fleet/);
  });
});
