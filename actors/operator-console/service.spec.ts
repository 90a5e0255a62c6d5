/**
 * The console's behaviour on in-memory ports over real HTTP (port 0): dedup and counts, the decision rules, the
 * token rule, escalation once (also across a restart), and bad input answered, counted, never crashing.
 */
import assert from 'node:assert/strict';

import { VirtualTimeScheduler } from 'rxjs';

import { portFailure } from '../../runtime/errors.ts';
import { alarmRaised } from '../../test/helpers/messages.ts';
import { waitFor } from '../../test/helpers/wait-for.ts';
import { type AlarmRaised, toAlarmEscalated, toAlarmResolved } from '../protocol/alarm.ts';
import { toDroneBack, toDroneSilent } from '../protocol/drone-watch.ts';
import { droneIdOf } from '../protocol/primitives.ts';
import { utcTimeOf } from '../protocol/time.ts';
import {
  createMemoryDecisionStore,
  createMemoryFeed,
  createMemoryPublisher,
  functionImageSource,
  memoryAlarmSource,
} from './memory.ts';
import type { AlarmView, ConsoleCounts } from './model.ts';
import { startConsoleServer } from './server.ts';
import { type OperatorConsole, startOperatorConsole } from './service.ts';

const alarm = (
  n: number,
  raisedAtMs = Date.now(),
  extra: Record<string, unknown> = {},
): AlarmRaised => {
  const id = `drone-${String(n).padStart(4, '0')}:${n}`;
  return alarmRaised(id, raisedAtMs, {
    violationImageId: `img-${n}`,
    time: utcTimeOf(raisedAtMs - 100 + n),
    ...extra,
  });
};

describe('operator console (in-memory ports, real HTTP)', () => {
  const running: OperatorConsole[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((c) => c.stop()));
  });

  const start = async (
    o: {
      alarms?: ReadonlyArray<AlarmRaised>;
      store?: ReturnType<typeof createMemoryDecisionStore>;
      escalateAfterMs?: number;
      token?: string;
      scheduler?: VirtualTimeScheduler;
    } = {},
  ) => {
    const store = o.store ?? createMemoryDecisionStore();
    const feed = createMemoryFeed();
    const publisher = createMemoryPublisher();
    const c = await startOperatorConsole({
      alarms: memoryAlarmSource(o.alarms ?? []),
      store,
      feed,
      publisher,
      images: functionImageSource((id) => (id === 'img-1' ? '<svg/>' : undefined)),
      describe: (code) => (code === 40 ? 'near a fire hydrant' : undefined),
      escalateAfterMs: o.escalateAfterMs ?? 60_000,
      host: '127.0.0.1',
      port: 0,
      retryMs: 20,
      ...(o.token ? { access: { token: o.token } } : {}),
      ...(o.scheduler ? { scheduler: o.scheduler } : {}),
    });
    running.push(c);
    const post = (
      id: string,
      action: string,
      body: unknown = { operator: 'ofc.a' },
      headers = {},
    ) =>
      fetch(`${c.url}api/alarms/${encodeURIComponent(id)}/${action}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
      });
    const api = async () =>
      (await (await fetch(`${c.url}api/alarms`)).json()) as {
        alarms: AlarmView[];
        counts: ConsoleCounts;
      };
    return { c, store, feed, publisher, post, api };
  };

  it('shows each alarm id once, newest first, and counts duplicate deliveries', async () => {
    const a1 = alarm(1);
    const a2 = alarm(2);
    const { feed, api } = await start({ alarms: [a1] });
    feed.push({ _tag: 'event', event: a2 });
    feed.push({ _tag: 'event', event: a2 });
    feed.push({ _tag: 'event', event: a1 });
    const { alarms, counts } = await api();
    assert.deepEqual(
      alarms.map((a) => [a.id, a.deliveries]),
      [
        [a2.id, 2],
        [a1.id, 1],
      ],
    );
    assert.equal(alarms[0]?.description, 'near a fire hydrant');
    assert.equal(counts.alarms, 2);
    assert.equal(counts.loaded, 1);
    assert.equal(counts.received, 3);
    assert.equal(counts.duplicates, 2);
    assert.equal(counts.open, 2);
  });

  it('records acknowledge, then confirm; refuses confirm before acknowledge and a second final decision', async () => {
    const a = alarm(1);
    const { post, store, api } = await start({ alarms: [a] });
    const early = await post(a.id, 'confirm');
    assert.equal(early.status, 409);
    assert.equal(((await early.json()) as { reason: string }).reason, 'not-acknowledged');
    assert.equal((await post(a.id, 'acknowledge')).status, 200);
    assert.equal((await post(a.id, 'acknowledge')).status, 409);
    const confirmed = await post(a.id, 'confirm', { operator: ' sgt.b ' });
    assert.equal(confirmed.status, 200);
    assert.equal(((await confirmed.json()) as { alarm: AlarmView }).alarm.status, 'confirmed');
    const dismissed = await post(a.id, 'dismiss');
    assert.equal(dismissed.status, 409);
    assert.equal(((await dismissed.json()) as { reason: string }).reason, 'already-resolved');
    const record = store.events.get(`${a.id}:confirmed`)?.event;
    assert.equal(record?.type, 'alarm.resolved');
    assert.equal(record?.type === 'alarm.resolved' ? record.by : '', 'sgt.b');
    const { counts } = await api();
    assert.equal(counts.confirmed, 1);
    assert.equal(counts.open, 0);
  });

  it('publishes each recorded decision on the alarm topic (the archive reads them there), none refused', async () => {
    const a = alarm(1);
    const { post, publisher } = await start({ alarms: [a] });
    assert.equal((await post(a.id, 'confirm')).status, 409); // refused: not recorded, not published
    assert.equal((await post(a.id, 'acknowledge')).status, 200);
    assert.equal((await post(a.id, 'confirm', { operator: 'sgt.b' })).status, 200);
    await waitFor('two decisions published', () => publisher.decisions.length === 2, 3_000);
    assert.deepEqual(
      publisher.decisions.map((r) => [r.type, r.id, r.by]),
      [
        ['alarm.resolved', `${a.id}:acknowledged`, 'ofc.a'],
        ['alarm.resolved', `${a.id}:confirmed`, 'sgt.b'],
      ],
    );
  });

  it('retries a decision the store refused for a moment (a transaction on the same item), not one refused for good', async () => {
    const a = alarm(1);
    const b = alarm(2);
    const store = createMemoryDecisionStore();
    const decide = store.decide;
    let conflicts = 1; // DynamoDB: TransactionConflictException while an escalation checks the item
    const busy = Object.assign(new Error('Transaction is ongoing for the item'), {
      name: 'TransactionConflictException',
    });
    const flaky = {
      ...store,
      decide: (r: Parameters<typeof decide>[0]) =>
        r.alarmId === b.id
          ? Promise.reject(portFailure('dynamodb', new Error('AccessDenied'), false))
          : conflicts-- > 0
            ? Promise.reject(portFailure('dynamodb', busy))
            : decide(r),
    };
    const { post, api } = await start({ alarms: [a, b], store: flaky });
    assert.equal((await post(a.id, 'acknowledge')).status, 200);
    assert.equal(conflicts, -1, 'refused once, then recorded');
    assert.equal((await post(b.id, 'acknowledge')).status, 503);
    const { alarms } = await api();
    assert.deepEqual(
      alarms.map((x) => [x.id, x.status]).sort(),
      [
        [a.id, 'acknowledged'],
        [b.id, 'open'],
      ].sort(),
    );
  });

  it('shows recorded decisions after a restart', async () => {
    const a = alarm(1);
    const store = createMemoryDecisionStore();
    const first = await start({ alarms: [a], store });
    await first.post(a.id, 'acknowledge');
    await first.post(a.id, 'dismiss');
    await first.c.stop();
    const second = await start({ alarms: [a], store });
    const view = (await second.api()).alarms[0];
    assert.equal(view?.status, 'dismissed');
    assert.equal(view?.acknowledged?.by, 'ofc.a');
  });

  it('escalates an unacknowledged alarm once, publishes it, and not again after a restart', async () => {
    const a = alarm(1);
    const store = createMemoryDecisionStore();
    const first = await start({ alarms: [a], store, escalateAfterMs: 50 });
    await waitFor('the escalation', () => first.publisher.published.length === 1, 3_000);
    await waitFor(
      'published mark',
      () => store.events.get(`${a.id}:escalated:1`)?.publishedAt !== undefined,
      3_000,
    );
    assert.equal((await first.api()).counts.escalated, 1);
    // Its own escalation comes back through the queue: the first copy is not a duplicate, a second one is.
    const echo = first.publisher.published[0]!;
    first.feed.push({ _tag: 'event', event: echo });
    first.feed.push({ _tag: 'event', event: echo });
    const counts = (await first.api()).counts;
    assert.deepEqual(
      [counts.escalationsReceived, counts.escalationDuplicates, counts.escalated],
      [2, 1, 1],
    );
    await first.c.stop();
    // Virtual time: the restarted console arms no timer for `a`. `b`, also overdue, shows that one would have run:
    // once it is published, so would `a` have been.
    const b = alarm(2);
    const scheduler = new VirtualTimeScheduler();
    const second = await start({ alarms: [a, b], store, escalateAfterMs: 50, scheduler });
    scheduler.flush();
    await waitFor(
      'the control alarm escalated',
      () => second.publisher.published,
      3_000,
      (p) => p.some((e) => e.alarmId === b.id),
    );
    assert.deepEqual(
      second.publisher.published.map((e) => e.alarmId),
      [b.id],
    );
    assert.equal((await second.api()).alarms.find((v) => v.id === a.id)?.escalated?.level, 1);
  });

  it('escalates every overdue alarm found at start, each once', async () => {
    const overdue = Array.from({ length: 30 }, (_, i) => alarm(i + 1, Date.now() - 3_600_000));
    const { publisher, api } = await start({ alarms: overdue, escalateAfterMs: 60_000 });
    await waitFor('30 escalations', () => publisher.published.length === 30, 3_000);
    assert.equal(new Set(publisher.published.map((e) => e.id)).size, 30);
    assert.equal((await api()).counts.escalated, 30);
  });

  it('does not escalate an alarm acknowledged in time', async () => {
    // Virtual time: the acknowledgement lands before the deadline however slow the machine is; then the deadline
    // passes (flush), and `b`, left alone, shows that a timer still armed would have fired.
    const [a, b] = [alarm(1, Date.now()), alarm(2, Date.now())];
    const scheduler = new VirtualTimeScheduler();
    const { post, publisher } = await start({ alarms: [a, b], escalateAfterMs: 200, scheduler });
    assert.equal((await post(a.id, 'acknowledge')).status, 200);
    scheduler.flush();
    await waitFor(
      'the control alarm escalated',
      () => publisher.published,
      3_000,
      (p) => p.some((e) => e.alarmId === b.id),
    );
    assert.deepEqual(
      publisher.published.map((e) => e.alarmId),
      [b.id],
    );
  });

  it('publishes at start an escalation recorded but never published (a crash in between)', async () => {
    const a = alarm(1);
    const store = createMemoryDecisionStore();
    await store.escalate(
      toAlarmEscalated({
        alarmId: a.id,
        level: 1,
        reason: 'unacknowledged',
        afterMs: 60_000,
        escalatedAt: utcTimeOf(Date.now()),
      }),
    );
    const { publisher } = await start({ alarms: [a], store });
    await waitFor('the republish', () => publisher.published.length === 1, 3_000);
    assert.equal(publisher.published[0]?.id, `${a.id}:escalated:1`);
  });

  it('applies a decision recorded before its alarm arrived', async () => {
    const a = alarm(3);
    const store = createMemoryDecisionStore();
    await store.decide(
      toAlarmResolved({
        alarmId: a.id,
        decision: 'acknowledged',
        by: 'x',
        at: utcTimeOf(0),
      }),
    );
    const { feed, api } = await start({ store });
    feed.push({ _tag: 'event', event: a });
    assert.equal((await api()).alarms[0]?.status, 'acknowledged');
  });

  it('shows a silent drone apart from the alarms until its drone.back clears that silence', async () => {
    const a = alarm(1);
    const { feed, api } = await start({ alarms: [a] });
    const lastSeenAt = utcTimeOf(Date.parse('2026-11-27T18:00:00.000Z'));
    const silent = toDroneSilent({
      droneId: a.droneId,
      lastSeenAt,
      silentAfterMs: 30_000,
      raisedAt: utcTimeOf(Date.parse('2026-11-27T18:00:30.000Z')),
    });
    feed.push({ _tag: 'drone', event: silent });
    const shown = await api();
    assert.deepEqual(shown.counts.silentDrones, [
      { id: silent.id, droneId: a.droneId, lastSeenAt },
    ]);
    assert.equal(shown.alarms.length, 1); // not an alarm
    assert.equal(shown.counts.undecodable, 0);
    const older = toDroneSilent({ ...silent, lastSeenAt: utcTimeOf(0) });
    feed.push({ _tag: 'drone', event: toDroneBack(older, utcTimeOf(1), 1) });
    assert.equal((await api()).counts.silentDrones?.length, 1); // another silence's back: still silent
    feed.push({ _tag: 'drone', event: toDroneBack(silent, utcTimeOf(Date.now()), 40_000) });
    assert.equal((await api()).counts.silentDrones, undefined);
  });

  it('sends the counts that drone events change at most every 100 ms, not once per event', async () => {
    const { c, feed } = await start();
    const events = await fetch(`${c.url}events`);
    const reader = events.body!.getReader();
    const decoder = new TextDecoder();
    let text = decoder.decode((await reader.read()).value as Uint8Array);
    assert.match(text, /^event: snapshot\n/);
    // A fleet of 1,000 drones reported silent at once (an overloaded stream).
    for (let d = 0; d < 1_000; d++)
      feed.push({
        _tag: 'drone',
        event: toDroneSilent({
          droneId: droneIdOf(d),
          lastSeenAt: utcTimeOf(d),
          silentAfterMs: 30_000,
          raisedAt: utcTimeOf(40_000),
        }),
      });
    const until = Date.now() + 600;
    while (!text.includes(`"droneId":"${droneIdOf(999)}"`) && Date.now() < until) {
      const next = await Promise.race([
        reader.read(),
        new Promise<undefined>((r) => setTimeout(() => r(undefined), until - Date.now())),
      ]);
      if (next?.value) text += decoder.decode(next.value as Uint8Array);
    }
    await reader.cancel();
    assert.ok(text.includes(`"droneId":"${droneIdOf(999)}"`), 'the last silent drone never shown');
    const sent = text.split('event: counts\n').length - 1;
    assert.ok(sent >= 1 && sent <= 5, `${sent} messages for 1,000 drone events`);
  });

  it('answers bad input without failing: counted, and the console goes on', async () => {
    const a = alarm(1);
    const { c, feed, post, api } = await start({ alarms: [a] });
    feed.push({ _tag: 'undecodable', reason: 'not JSON', body: '{' });
    assert.equal((await post(a.id, 'acknowledge', '{not json')).status, 400);
    assert.equal((await post(a.id, 'acknowledge', { operator: '' })).status, 400);
    assert.equal((await post(a.id, 'acknowledge', { operator: 'x'.repeat(65) })).status, 400);
    // Only control and bidi characters: stripped to nothing, so no name (was a decision unreadable later).
    assert.equal((await post(a.id, 'acknowledge', { operator: '\u0000\u001b\u202e' })).status, 400);
    assert.equal((await api()).alarms[0]?.status, 'open');
    assert.equal((await post(a.id, 'explode')).status, 404);
    assert.equal((await post('nope:1', 'acknowledge')).status, 404);
    assert.equal(
      (await post(a.id, 'acknowledge', { operator: 'x' }, { 'content-type': 'text/plain' })).status,
      415,
    );
    assert.equal(
      (await post(a.id, 'acknowledge', { operator: 'x' }, { origin: 'http://evil.example' }))
        .status,
      403,
    );
    const badId = await fetch(`${c.url}api/alarms/%E0%A4%A/acknowledge`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ operator: 'x' }),
    });
    assert.equal(badId.status, 400);
    assert.equal((await fetch(`${c.url}images/img-404`)).status, 404);
    assert.equal((await fetch(`${c.url}nothing`)).status, 404);
    assert.equal((await fetch(c.url, { method: 'DELETE' })).status, 405);
    const image = await fetch(`${c.url}images/img-1`);
    assert.equal(image.status, 200);
    assert.match(image.headers.get('content-security-policy') ?? '', /sandbox/);
    const { counts } = await api();
    assert.equal(counts.undecodable, 1);
    assert.equal(c.healthy(), true);
  });

  it('serves the page with a strict Content-Security-Policy and no data in the HTML', async () => {
    const { c } = await start({ alarms: [alarm(1, Date.now(), { address: '<b>x</b>' })] });
    const res = await fetch(c.url);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.ok(!html.includes('<b>x</b>'));
    assert.ok(
      !/https?:\/\//.test(html.replace('http://www.w3.org/2000/svg', '')),
      'no external address',
    );
  });

  it('needs the token when it has one: Bearer, or ?token= traded for a cookie', async () => {
    const token = 'a-long-enough-token-123';
    const { c } = await start({ token });
    assert.equal((await fetch(`${c.url}api/alarms`)).status, 401);
    assert.equal(
      (await fetch(`${c.url}api/alarms`, { headers: { authorization: `Bearer ${token}x` } }))
        .status,
      401,
    );
    assert.equal(
      (await fetch(`${c.url}api/alarms`, { headers: { authorization: `Bearer ${token}` } })).status,
      200,
    );
    const login = await fetch(`${c.url}?token=${token}`, { redirect: 'manual' });
    assert.equal(login.status, 303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    assert.match(login.headers.get('set-cookie') ?? '', /HttpOnly; SameSite=Strict/);
    assert.ok(!cookie.includes(token), 'the cookie names a session, not the token');
    assert.equal((await fetch(`${c.url}api/alarms`, { headers: { cookie } })).status, 200);
  });

  it('refuses to serve beyond loopback without a token', async () => {
    await assert.rejects(
      startConsoleServer(
        {
          snapshot: () => ({ alarms: [], counts: {} as ConsoleCounts }),
          listen: () => () => undefined,
          act: () => Promise.resolve({ status: 200, body: {} }),
          image: () => Promise.resolve(undefined),
          healthy: () => true,
        },
        { host: '0.0.0.0', port: 0 },
      ),
      /needs a token/,
    );
  });

  it('refuses a Host header that does not name the console (DNS rebinding)', async () => {
    const { c } = await start();
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: c.port, path: '/api/alarms', headers: { host: 'evil.example' } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 421);
  });
});
