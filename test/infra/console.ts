/**
 * Is the deployed operator console up and serving? Its ops server answers /healthz, and its page's JSON API
 * (`GET /api/alarms`, on loopback without a token, as an operator's SSH tunnel reaches it) answers with the alarms
 * and counts in the shape actors/operator-console/README.md gives, listing at least MIN_ALARMS alarms (raised by the
 * alert-system, delivered by the alarm topic to the console's own queue), none of the queue's bodies undecodable.
 *
 * usage: node --import tsx test/infra/console.ts OPS_PORT CONSOLE_PORT WAIT_S [MIN_ALARMS]
 *
 * Retries for up to WAIT_S seconds, then prints one JSON line ({ healthz, alarms, counts }) and exits 0, or 1 with
 * the last problem on stderr.
 */
const [opsArg, consoleArg, waitArg, minArg = '0'] = process.argv.slice(2);
if (opsArg === undefined || consoleArg === undefined || waitArg === undefined) {
  process.stderr.write('usage: console.ts OPS_PORT CONSOLE_PORT WAIT_S [MIN_ALARMS]\n');
  process.exit(64);
}

interface Answer {
  readonly alarms: ReadonlyArray<{ readonly id: string; readonly status: string }>;
  readonly counts: Readonly<Record<string, number>>;
}

const get = async (port: string, path: string): Promise<{ status: number; body: string }> => {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    signal: AbortSignal.timeout(5_000),
  });
  return { status: res.status, body: await res.text() };
};

const once = async (): Promise<string> => {
  const health = await get(opsArg, '/healthz');
  if (health.status !== 200) throw new Error(`ops /healthz answered ${health.status}`);
  const api = await get(consoleArg, '/api/alarms');
  if (api.status !== 200) throw new Error(`GET /api/alarms answered ${api.status}: ${api.body}`);
  const answer = JSON.parse(api.body) as Answer;
  if (!Array.isArray(answer.alarms) || typeof answer.counts?.alarms !== 'number')
    throw new Error(`GET /api/alarms: not { alarms, counts }: ${api.body.slice(0, 200)}`);
  if (answer.alarms.length !== answer.counts.alarms)
    throw new Error(`${answer.alarms.length} alarms listed, counts.alarms ${answer.counts.alarms}`);
  if (answer.counts.undecodable !== 0)
    throw new Error(`${answer.counts.undecodable} queue bodies were not alarm events`);
  if (answer.alarms.length < Number(minArg))
    throw new Error(`${answer.alarms.length} alarms shown, waiting for ${minArg}`);
  return JSON.stringify({
    healthz: JSON.parse(health.body) as unknown,
    alarms: answer.alarms.length,
    counts: answer.counts,
  });
};

const deadline = Date.now() + Number(waitArg) * 1_000;
let last: unknown;
for (;;) {
  try {
    process.stdout.write(`${await once()}\n`);
    process.exit(0);
  } catch (e) {
    last = e;
  }
  if (Date.now() > deadline) break;
  await new Promise((r) => setTimeout(r, 1_000));
}
process.stderr.write(`operator console: ${String(last)}\n`);
process.exit(1);
