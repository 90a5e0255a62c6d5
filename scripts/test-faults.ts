/**
 * `npm run test:faults [-- --quick] [--scenario NAME ...] [--seed N]`: the fault-injection suite. Runs the
 * pipeline (drone simulator, csv-to-stream, storage writer, alert system: each its own process) on a fresh local
 * stack with fault proxies in front of Kinesis, DynamoDB and S3, one scenario at a time (test/faults/scenarios.ts),
 * and checks after each that nothing accepted was lost. Writes reports/faults.json and reports/faults.md; exits 1
 * if any assertion failed, naming the scenario and what was lost.
 */
import '../runtime/node-version.ts';

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { killEverything } from '../test/faults/actors.ts';
import { type FaultStack, startFaultStack } from '../test/faults/fault-stack.ts';
import { type FaultRow, toMarkdown, writeReport } from '../test/faults/report.ts';
import { runScenario } from '../test/faults/run-scenario.ts';
import { SCENARIOS } from '../test/faults/scenarios.ts';
import { generateNypd } from './nypd-generator.ts';

const USAGE = `usage: npm run test:faults -- [--quick] [--scenario NAME ...] [--seed N] [--keep] [--list]

  --quick          the reduced set (six scenarios, at least one of each family; about 3 minutes on 2 cores)
  --scenario NAME  only this scenario (repeat for several); --list shows them
  --seed N         seed of the kill moments, fault choices and the simulated fleet (default 1)
  --seconds N      how long the producers run in each scenario (default 14; 12 with --quick)
  --keep           keep the run folder (actor logs, emulator data) under ${tmpdir()}
  --out BASE       report files BASE.json and BASE.md (default reports/faults)
  --list           list the scenarios and exit

Each scenario gets a fresh set of streams, tables, bucket, topic and queue on one local stack (free ports, data
in a temporary folder); everything started is stopped at the end, on failure and on Ctrl-C too.
`;

const say = (line: string) => process.stderr.write(`faults: ${line}\n`);

const cli = (() => {
  try {
    return parseArgs({
      options: {
        quick: { type: 'boolean', default: false },
        scenario: { type: 'string', multiple: true },
        seed: { type: 'string', default: '1' },
        seconds: { type: 'string' },
        keep: { type: 'boolean', default: false },
        out: { type: 'string', default: 'reports/faults' },
        list: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }).values;
  } catch (e) {
    process.stderr.write(`test:faults: ${(e as Error).message}\n\n${USAGE}`);
    process.exit(64);
  }
})();
if (cli.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (cli.list) {
  for (const s of SCENARIOS)
    process.stdout.write(
      `${s.name.padEnd(28)} ${s.family.padEnd(17)} ${s.quick ? 'quick' : '     '}  ${s.summary}\n`,
    );
  process.exit(0);
}
const seed = Number(cli.seed);
const seconds = Number(cli.seconds ?? (cli.quick ? 12 : 14));
if (!Number.isSafeInteger(seed) || seed < 0 || !(seconds >= 8)) {
  process.stderr.write(
    `test:faults: --seed must be a whole number, --seconds at least 8\n\n${USAGE}`,
  );
  process.exit(64);
}
const unknown = (cli.scenario ?? []).filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) {
  process.stderr.write(`test:faults: no scenario ${unknown.join(', ')} (--list shows them)\n`);
  process.exit(64);
}
const chosen = SCENARIOS.filter((s) =>
  cli.scenario ? cli.scenario.includes(s.name) : cli.quick ? s.quick : true,
);

const runDir = mkdtempSync(join(tmpdir(), 'prestacop-faults-'));
let stack: FaultStack | undefined;
let cleaning: Promise<void> | undefined;
const cleanup = (): Promise<void> =>
  (cleaning ??= (async () => {
    killEverything();
    await stack?.stop().catch((e: unknown) => say(`stack stop failed: ${String(e)}`));
    if (!cli.keep) rmSync(runDir, { recursive: true, force: true });
  })());
process.on('exit', killEverything);
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    say(`${signal}: stopping everything`);
    void cleanup().finally(() => process.exit(130));
  });

const main = async (): Promise<number> => {
  const began = Date.now();
  say(`${chosen.length} scenario(s), seed ${seed}, run folder ${runDir}`);
  const csvFile = join(runDir, 'nypd-fy2017.csv');
  await generateNypd({ rows: 4_000, out: csvFile, layout: 43, dirty: 0, seed, finalNewline: true });
  const csvIds = new Set(
    readFileSync(csvFile, 'utf8')
      .split(/\r?\n/)
      .slice(1)
      .filter((l) => l.trim() !== '')
      .map((l) => `nypd:${l.split(',')[0]!.trim()}`),
  );
  say('starting the local stack and the fault proxies');
  stack = await startFaultStack(join(runDir, 'data'), () => undefined);
  say(`stack up in ${((Date.now() - began) / 1000).toFixed(1)} s`);

  const rows: FaultRow[] = [];
  const results: Array<{ scenario: string; failures: string[] }> = [];
  for (const [i, scenario] of chosen.entries()) {
    const t0 = Date.now();
    say(`(${i + 1}/${chosen.length}) ${scenario.name}: ${scenario.summary}`);
    try {
      const r = await runScenario(
        stack,
        scenario,
        i + 1,
        {
          seed,
          drones: 10,
          intervalMs: 200,
          producerSeconds: seconds,
          csvFile,
          csvIds,
          csvRowsPerSec: Math.ceil(csvIds.size / (seconds - 4)),
          drainTimeoutMs: 60_000,
          runDir,
        },
        say,
      );
      rows.push(r.row);
      results.push({ scenario: scenario.name, failures: [...r.failures] });
      const verdict = r.failures.length === 0 ? 'PASS' : `FAIL (${r.failures.length})`;
      say(
        `(${i + 1}/${chosen.length}) ${scenario.name}: ${verdict} in ${((Date.now() - t0) / 1000).toFixed(0)} s — ` +
          `accepted ${r.row.accepted}, lost ${r.row.lost}, alarms ${r.row.alarmsShown}/${r.row.alarmsExpected}, ` +
          `recovery ${r.row.recoverySeconds ?? '-'} s, faults injected ${r.faultsInjected}`,
      );
      for (const f of r.failures) say(`  ✗ ${scenario.name}: ${f}`);
    } catch (e) {
      const why = `harness error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`;
      results.push({ scenario: scenario.name, failures: [why] });
      say(`(${i + 1}/${chosen.length}) ${scenario.name}: FAIL — ${why}`);
    }
  }

  const header =
    `\`${['npm run test:faults', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ')}\` — seed ${seed}, ${seconds} s of producers per scenario ` +
    `(10 drones every 200 ms, 5 % alarms; ${csvIds.size} CSV rows), ${new Date().toISOString()}, ` +
    `${((Date.now() - began) / 1000).toFixed(0)} s in all. alarmsShown = expected alarm ids shown exactly once by the operator console (GET /api/alarms); duplicatePublishes = extra copies received by a queue on the alarm topic.`;
  writeReport(cli.out, rows, results, header);
  process.stdout.write(`\n${toMarkdown(rows)}\n\n`);
  const failed = results.filter((r) => r.failures.length > 0);
  say(`report: ${cli.out}.json, ${cli.out}.md; ${((Date.now() - began) / 1000).toFixed(0)} s`);
  if (failed.length === 0) {
    say(`all ${results.length} scenario(s) passed`);
    return 0;
  }
  for (const f of failed) for (const x of f.failures) say(`FAILED ${f.scenario}: ${x}`);
  if (cli.keep) say(`logs kept in ${runDir}/logs`);
  return 1;
};

void main()
  .catch((e: unknown) => {
    say(`failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return 1;
  })
  .then(async (code) => {
    await cleanup();
    process.exit(code);
  });
