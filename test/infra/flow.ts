/**
 * Did messages keep flowing through the deployed actors, and was nothing lost? Reads the messages table the
 * storage writer fills (on the local stack), and the drone simulator's log.
 *
 * usage: node --import tsx test/infra/flow.ts count   STACK_JSON TABLE
 *        node --import tsx test/infra/flow.ts grows   STACK_JSON TABLE WAIT_S  (exit 0 once the table grows)
 *        node --import tsx test/infra/flow.ts watch   STACK_JSON TABLE       (one "epoch-ms count" line per second)
 *        node --import tsx test/infra/flow.ts verify  STACK_JSON TABLE SIMULATOR_LOG INTERVAL_MS WAIT_S [WATCH_FILE]
 *        node --import tsx test/infra/flow.ts rolling SINCE_MS LOG_DIR...   (the hosts' log folders, in play order)
 *        node --import tsx test/infra/flow.ts empty   STACK_JSON BUCKET     (before terraform destroy: s3rver has no
 *                                                                           ListObjectVersions for force_destroy)
 *
 * verify prints a JSON report and exits 1 unless, for every drone, its sequence numbers in the table run without
 * a hole except one per simulator restart, each hole sits inside a stop → start window of the simulator's log, and
 * the last message before the final stop is stored (it retries for up to WAIT_S seconds while the writers drain).
 * With WATCH_FILE it also reports the longest time the table did not grow.
 *
 * rolling exits 1 unless each host's services were all back ("started") before the next host's first one
 * stopped, counting only restarts after SINCE_MS: one host at a time.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { DeleteObjectsCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import type { LocalEndpoints } from '../../runtime/aws/target.ts';
import { countItems } from '../../scripts/measure.ts';

interface Row {
  readonly droneId: string;
  readonly seq: number;
  readonly at: number;
}
/** A stop → start window of the simulator, in epoch ms (start undefined: it never came back). */
interface Window {
  readonly stop: number;
  readonly start: number | undefined;
}

const args = process.argv.slice(2);
/** Pino "<service> stopping" / "<service> started" lines of every log file in a folder, in epoch ms. */
function lifecycle(dir: string): Array<{ at: number; what: 'stopping' | 'started' }> {
  const out: Array<{ at: number; what: 'stopping' | 'started' }> = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.log')))
    for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
      const m = /"time":"([^"]+)".*"msg":"[a-z-]+ (stopping|started)"/.exec(line);
      if (m) out.push({ at: Date.parse(m[1]!), what: m[2] as 'stopping' | 'started' });
    }
  return out;
}

function rolling(since: number, dirs: ReadonlyArray<string>): boolean {
  const hosts = dirs.map((dir) => {
    const events = lifecycle(dir).filter((e) => e.at >= since);
    const stops = events.filter((e) => e.what === 'stopping').map((e) => e.at);
    const starts = events.filter((e) => e.what === 'started').map((e) => e.at);
    return {
      dir,
      firstStop: Math.min(...stops),
      lastStart: Math.max(...starts),
      restarts: stops.length,
    };
  });
  let ok = hosts.every((h) => h.restarts > 0 && h.lastStart > h.firstStop);
  for (let i = 1; i < hosts.length; i++) ok &&= hosts[i - 1]!.lastStart < hosts[i]!.firstStop;
  const iso = (ms: number) =>
    Number.isFinite(ms) ? new Date(ms).toISOString().slice(11, 23) : '-';
  for (const h of hosts)
    process.stdout.write(
      `${h.dir}: ${h.restarts} restarted, first stop ${iso(h.firstStop)}, last start ${iso(h.lastStart)}\n`,
    );
  return ok;
}

const [command, stackPath, table, simLog, intervalArg, waitArg, watchFile] = args;
if (command === 'rolling') process.exit(rolling(Number(args[1]), args.slice(2)) ? 0 : 1);
if (command === undefined || stackPath === undefined || table === undefined) {
  process.stderr.write('usage: flow.ts count|watch|verify|rolling ... (see the file header)\n');
  process.exit(64);
}
const stack = JSON.parse(readFileSync(stackPath, 'utf8')) as {
  region: string;
  endpoints: LocalEndpoints;
};
const clients = createAwsClients(
  { kind: 'local', region: stack.region, endpoints: stack.endpoints },
  { maxAttempts: 3 },
);

const count = (): Promise<number> => countItems(clients.doc, table);

const rows = async (): Promise<Row[]> => {
  const out: Row[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await clients.doc.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: 'droneId, seq, #t',
        ExpressionAttributeNames: { '#t': 'time' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? [])
      out.push({
        droneId: String(item.droneId),
        seq: Number(item.seq),
        at: Date.parse(String(item.time)),
      });
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
};

/** The simulator's stop → start windows, from its pino log lines ("... stopping", "... started"). */
const windows = (log: string): { windows: Window[]; lastStop: number | undefined } => {
  const events: Array<{ at: number; what: 'stop' | 'start' }> = [];
  for (const line of log.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const e = JSON.parse(line) as { time?: string; msg?: string };
      if (e.msg === 'drone-simulator stopping')
        events.push({ at: Date.parse(e.time!), what: 'stop' });
      if (e.msg === 'drone-simulator started')
        events.push({ at: Date.parse(e.time!), what: 'start' });
    } catch {
      // not a log line (the SDK's Node version warning)
    }
  }
  const result: Window[] = [];
  events.forEach((e, i) => {
    if (e.what !== 'stop') return;
    const next = events.slice(i + 1).find((n) => n.what === 'start');
    result.push({ stop: e.at, start: next?.at });
  });
  const restarts = result.filter((w) => w.start !== undefined);
  const last = result.at(-1);
  return { windows: restarts, lastStop: last?.start === undefined ? last?.stop : undefined };
};

/** Longest time (ms) between two watch samples with the same count, after the first growth. */
const longestStall = (samples: string): number => {
  const points = samples
    .trim()
    .split('\n')
    .map((l) => l.split(' ').map(Number))
    .filter((p): p is [number, number] => p.length === 2 && p.every(Number.isFinite));
  let longest = 0;
  let since: number | undefined;
  for (let i = 1; i < points.length; i++) {
    const [t, n] = points[i]!;
    const [, prev] = points[i - 1]!;
    if (n > prev) since = t;
    else if (since !== undefined) longest = Math.max(longest, t - since);
  }
  return longest;
};

const verify = async (): Promise<{ ok: boolean; report: string }> => {
  const interval = Number(intervalArg);
  // The last message before a stop is at most one interval old (a tick may run a little late); the first after a
  // start can come a few intervals after the "started" line on a loaded machine (and a late one loses nothing).
  const slack = interval + 300;
  const startSlack = 3 * interval + 1_000;
  const { windows: restarts, lastStop } = windows(readFileSync(simLog!, 'utf8'));
  const byDrone = new Map<string, Row[]>();
  for (const r of await rows()) byDrone.set(r.droneId, [...(byDrone.get(r.droneId) ?? []), r]);
  const problems: string[] = [];
  let holes = 0;
  for (const [drone, list] of byDrone) {
    list.sort((a, b) => a.seq - b.seq);
    const gaps: Array<[Row, Row]> = [];
    for (let i = 1; i < list.length; i++)
      if (list[i]!.seq !== list[i - 1]!.seq + 1) gaps.push([list[i - 1]!, list[i]!]);
    holes += gaps.length;
    for (const [before, after] of gaps) {
      const w = restarts.find(
        (x) => before.at >= x.stop - slack && after.at <= x.start! + startSlack,
      );
      if (!w)
        problems.push(
          `${drone}: seq ${before.seq + 1}..${after.seq - 1} missing (${new Date(before.at).toISOString()} → ${new Date(after.at).toISOString()}), not a simulator restart`,
        );
    }
    if (gaps.length > restarts.length)
      problems.push(`${drone}: ${gaps.length} holes for ${restarts.length} simulator restarts`);
    const last = list.at(-1)!;
    if (lastStop !== undefined && last.at < lastStop - slack)
      problems.push(
        `${drone}: last stored message ${new Date(last.at).toISOString()}, simulator stopped ${new Date(lastStop).toISOString()}`,
      );
  }
  if (byDrone.size === 0) problems.push('no message stored');
  const report = {
    items: [...byDrone.values()].reduce((n, l) => n + l.length, 0),
    drones: byDrone.size,
    simulatorRestarts: restarts.length,
    holes,
    longestStallMs: watchFile ? longestStall(readFileSync(watchFile, 'utf8')) : undefined,
    problems: problems.slice(0, 10),
  };
  return { ok: problems.length === 0, report: JSON.stringify(report) };
};

/** verify, again every 2 s while it fails, for up to `waitS` seconds (the writers may still be draining). */
const verifyWaiting = async (waitS: number): Promise<boolean> => {
  const deadline = Date.now() + waitS * 1_000;
  for (;;) {
    const { ok, report } = await verify();
    if (ok || Date.now() > deadline) {
      process.stdout.write(`${report}\n`);
      return ok;
    }
    await new Promise((r) => setTimeout(r, 2_000));
  }
};

/** Deletes every object of the bucket (named by `table` on the command line). */
const empty = async (): Promise<number> => {
  let deleted = 0;
  for (;;) {
    const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: table, MaxKeys: 1000 }));
    const keys = (page.Contents ?? []).flatMap((o) => (o.Key ? [{ Key: o.Key }] : []));
    if (keys.length === 0) return deleted;
    await clients.s3.send(new DeleteObjectsCommand({ Bucket: table, Delete: { Objects: keys } }));
    deleted += keys.length;
  }
};

try {
  if (command === 'empty') process.stdout.write(`deleted ${await empty()} objects\n`);
  else if (command === 'grows') {
    const deadline = Date.now() + Number(simLog) * 1_000;
    let first = await count();
    let grew = false;
    while (!grew && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 2_000));
      const now = await count();
      process.stdout.write(`${first} -> ${now}\n`);
      grew = first > 0 && now > first;
      first = now;
    }
    process.exitCode = grew ? 0 : 1;
  } else if (command === 'count') process.stdout.write(`${await count()}\n`);
  else if (command === 'watch')
    for (;;) {
      const n = await count().catch(() => -1);
      if (n >= 0) process.stdout.write(`${Date.now()} ${n}\n`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
  else if (command === 'verify') process.exitCode = (await verifyWaiting(Number(waitArg))) ? 0 : 1;
  else throw new Error(`unknown command ${command}`);
} finally {
  clients.destroy();
}
