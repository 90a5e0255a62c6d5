/**
 * The server's access rules over real HTTP on 127.0.0.1 (port 0), with stub handlers: the Host rule (DNS
 * rebinding), the Origin rule and a public origin behind a proxy, sessions instead of tokens in the cookie,
 * per-operator tokens, bad cookies and bodies answered with a 4xx, and the event-stream cap.
 */
import assert from 'node:assert/strict';
import http from 'node:http';

import type { ConsoleCounts } from './model.ts';
import { type ConsoleServer, type ConsoleServerOptions, startConsoleServer } from './server.ts';

interface Answer {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** One request with exactly these headers (fetch would not let a test set Host). */
const request = (
  port: number,
  o: {
    readonly method?: string;
    readonly path?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string;
    readonly host?: string;
  } = {},
): Promise<Answer> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: o.host ?? '127.0.0.1',
        port,
        method: o.method ?? 'GET',
        path: o.path ?? '/api/alarms',
        headers: { ...o.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });

/** Opens an event stream; resolves with its status, and `ended` once the server ends it. */
const openStream = (
  port: number,
  headers: Readonly<Record<string, string>> = {},
): Promise<{ status: number; ended: Promise<void>; close: () => void }> =>
  new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: '/events', headers: { ...headers }, agent: false },
      (res) => {
        const ended = new Promise<void>((done) => res.on('close', () => done()));
        res.resume();
        resolve({ status: res.statusCode ?? 0, ended, close: () => req.destroy() });
      },
    );
    req.on('error', reject);
    req.end();
  });

const TOKEN = 'shared-token-0123456789';
const RIVERA = 'rivera-token-0123456789';
const CHEN = 'chen-token-0123456789ab';

describe('Operator console > server access', () => {
  const servers: ConsoleServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const start = async (options: Partial<ConsoleServerOptions> = {}) => {
    const acted: Array<{ alarmId: string; action: string; operator: string }> = [];
    const refused: string[] = [];
    const server = await startConsoleServer(
      {
        snapshot: () => ({ alarms: [], counts: {} as ConsoleCounts }),
        listen: () => () => undefined,
        act: (alarmId, action, operator) => {
          acted.push({ alarmId, action, operator });
          return Promise.resolve({ status: 200, body: { alarm: { id: alarmId } } });
        },
        image: () => Promise.resolve(undefined),
        healthy: () => true,
        onBadRequest: (what) => refused.push(what),
      },
      { host: '127.0.0.1', port: 0, ...options },
    );
    servers.push(server);
    const post = (headers: Record<string, string>, body = '{"operator":"ofc.typed"}') =>
      request(server.port, {
        method: 'POST',
        path: '/api/alarms/a%3A1/acknowledge',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const login = async (token: string) => {
      const res = await request(server.port, { path: `/?token=${token}`, headers: { host: 'x' } });
      assert.equal(res.status, 303);
      return { cookie: String(res.headers['set-cookie']), res };
    };
    return { server, port: server.port, acted, refused, post, login };
  };

  it('without a token, answers only a Host naming this machine (DNS rebinding)', async () => {
    const { port, post, acted } = await start();
    const status = async (host: string) => (await request(port, { headers: { host } })).status;
    for (const host of ['127.0.0.1', `127.0.0.1:${port}`, 'localhost:9000', 'LOCALHOST', '[::1]:1'])
      assert.equal(await status(host), 200, host);
    for (const host of [
      '127.0.0.1.evil.example.com',
      `127.0.0.1.evil.example.com:${port}`,
      '127.0.0.2',
      '127.1',
      'localhost.',
      'evil.example',
      '::1',
      '[::1].evil',
      `127.0.0.1:${port}:1`,
    ])
      assert.equal(await status(host), 421, host);
    const rebound = 'evil.127.0.0.1.nip.io';
    const ack = await post({ host: rebound, origin: `http://${rebound}` });
    assert.equal(ack.status, 421);
    assert.equal((await post({ host: `127.0.0.1.evil.example.com` })).status, 421);
    assert.deepEqual(acted, []);
  });

  it('without a token, answers the exact address it listens on too', async () => {
    const { port } = await start({ host: '127.0.0.2' });
    const status = async (host: string) =>
      (await request(port, { host: '127.0.0.2', headers: { host } })).status;
    assert.equal(await status(`127.0.0.2:${port}`), 200);
    assert.equal(await status('127.0.0.3'), 421);
  });

  it('takes a POST from its own origin or the public one, nowhere else', async () => {
    const plain = await start();
    assert.equal(
      (await plain.post({ host: 'localhost:1', origin: 'http://localhost:1' })).status,
      200,
    );
    assert.equal(
      (await plain.post({ host: 'localhost:1', origin: 'http://localhost:2' })).status,
      403,
    );
    assert.equal((await plain.post({ host: 'localhost:1', origin: 'null' })).status, 403);
    const proxied = await start({ token: TOKEN, publicOrigin: 'https://console.example.org' });
    const auth = { authorization: `Bearer ${TOKEN}`, host: '127.0.0.1:8090' };
    assert.equal(
      (await proxied.post({ ...auth, origin: 'https://console.example.org' })).status,
      200,
    );
    assert.equal((await proxied.post({ ...auth, origin: 'http://127.0.0.1:8090' })).status, 200);
    assert.equal((await proxied.post({ ...auth, origin: 'https://evil.example' })).status, 403);
    assert.equal(
      (await proxied.post({ ...auth, origin: 'http://console.example.org' })).status,
      403,
    );
    assert.equal(proxied.acted.length, 2);
  });

  it('refuses a public origin without a token, and two kinds of token at once', async () => {
    await assert.rejects(start({ publicOrigin: 'https://console.example.org' }), /needs a token/);
    await assert.rejects(
      start({ token: TOKEN, operators: [{ name: 'a', token: RIVERA }] }),
      /not both/,
    );
    await assert.rejects(start({ host: '0.0.0.0' }), /needs a token/);
  });

  it('keeps a session id in the cookie, not the token; Secure behind an https origin; never echoes a token', async () => {
    const { login, port, refused } = await start({ token: TOKEN });
    const { cookie } = await login(TOKEN);
    assert.ok(!cookie.includes(TOKEN) && !cookie.includes(encodeURIComponent(TOKEN)), cookie);
    assert.match(
      cookie,
      /^prestacop_console=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=43200$/,
    );
    const session = cookie.split(';')[0] ?? '';
    const me = await request(port, { path: '/api/session', headers: { cookie: session } });
    assert.equal(me.status, 200);
    assert.equal((JSON.parse(me.body) as { operator: unknown }).operator, null);
    // A made-up id of the right shape is no session; the token itself is no cookie.
    const invented = `prestacop_console=${'A'.repeat(43)}`;
    assert.equal((await request(port, { headers: { cookie: invented } })).status, 401);
    const wrong = 'wrong-token-SECRET-42xyz';
    const refusedLogin = await request(port, { path: `/?token=${wrong}` });
    assert.equal(refusedLogin.status, 401);
    const bearer = await request(port, { headers: { authorization: `Bearer ${wrong}` } });
    assert.equal(bearer.status, 401);
    for (const text of [refusedLogin.body, bearer.body, ...refused])
      assert.ok(!text.includes(wrong) && !text.includes(TOKEN), text);

    const proxied = await start({ token: TOKEN, publicOrigin: 'https://console.example.org' });
    assert.match((await proxied.login(TOKEN)).cookie, /; Secure$/);
  });

  it('ends a session after its time: requests get 401, the stream is closed', async () => {
    let now = 1_000_000;
    const { login, port } = await start({ token: TOKEN, sessionTtlMs: 200, now: () => now });
    const cookie = (await login(TOKEN)).cookie.split(';')[0] ?? '';
    assert.equal((await request(port, { headers: { cookie } })).status, 200);
    const stream = await openStream(port, { cookie });
    assert.equal(stream.status, 200);
    now += 200;
    await stream.ended; // its timer (200 ms of real time) ends it
    const expired = await request(port, { headers: { cookie } });
    assert.equal(expired.status, 401);
    assert.match(expired.body, /session expired: open \/\?token=<your token> again/);
    assert.equal(
      (await request(port, { path: '/events', method: 'HEAD', headers: { cookie } })).status,
      401,
    );
  });

  it('answers a malformed cookie with 400 and still lets /?token= open a new session', async () => {
    const { login, port } = await start({ token: TOKEN });
    for (const cookie of [
      'prestacop_console=%E0%A4%A',
      `prestacop_console=${TOKEN}`,
      'prestacop_console=',
      'other=1; prestacop_console="x"',
    ]) {
      assert.equal((await request(port, { headers: { cookie } })).status, 400, cookie);
      const page = await request(port, { path: '/', headers: { cookie } });
      assert.equal(page.status, 400);
      assert.match(page.body, /open \/\?token=/);
    }
    const res = await request(port, {
      path: `/?token=${TOKEN}`,
      headers: { cookie: 'prestacop_console=%E0%A4%A' },
    });
    assert.equal(res.status, 303);
    assert.equal((await login(TOKEN)).res.status, 303);
  });

  it('answers an oversized body with 413, not a reset, and goes on', async () => {
    const { server, acted } = await start();
    const post = (body: string) =>
      fetch(`${server.url}api/alarms/a%3A1/acknowledge`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
    const big = await post(JSON.stringify({ operator: 'x', pad: 'y'.repeat(5_000) }));
    assert.equal(big.status, 413);
    assert.match(((await big.json()) as { error: string }).error, /too large/);
    const chunked = await request(server.port, {
      method: 'POST',
      path: '/api/alarms/a%3A1/acknowledge',
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      body: 'z'.repeat(200_000),
    });
    assert.equal(chunked.status, 413);
    await post('y'.repeat(3_000_000)).catch(() => undefined); // closed at once: a 413 or a reset, no crash
    assert.equal((await post('{"operator":"ofc.a"}')).status, 200);
    assert.equal(acted.length, 1);
  });

  it('with per-operator tokens, records the name the token belongs to, not the one in the body', async () => {
    const { post, acted, login, port } = await start({
      operators: [
        { name: 'sgt.rivera', token: RIVERA },
        { name: 'ofc.chen', token: CHEN },
      ],
    });
    assert.equal(
      (await post({ authorization: `Bearer ${RIVERA}` }, '{"operator":"mallory"}')).status,
      200,
    );
    assert.equal((await post({ authorization: `Bearer ${CHEN}` }, '{}')).status, 200);
    assert.equal((await post({ authorization: `Bearer ${TOKEN}` })).status, 401);
    const cookie = (await login(CHEN)).cookie.split(';')[0] ?? '';
    assert.equal((await post({ cookie }, '{"operator":"sgt.rivera"}')).status, 200);
    assert.deepEqual(
      acted.map((a) => a.operator),
      ['sgt.rivera', 'ofc.chen', 'ofc.chen'],
    );
    const me = await request(port, { path: '/api/session', headers: { cookie } });
    assert.equal((JSON.parse(me.body) as { operator: string }).operator, 'ofc.chen');
    // A shared token keeps the body's name.
    const shared = await start({ token: TOKEN });
    await shared.post({ authorization: `Bearer ${TOKEN}` });
    assert.equal(shared.acted[0]?.operator, 'ofc.typed');
  });

  it('caps event streams (503 with Retry-After); HEAD /events answers the same and takes no slot', async () => {
    const { port } = await start({ maxStreams: 1, retryAfterSeconds: 7 });
    const head = () => request(port, { method: 'HEAD', path: '/events' });
    for (let i = 0; i < 3; i++) assert.equal((await head()).status, 200);
    const first = await openStream(port);
    assert.equal(first.status, 200);
    const second = await openStream(port);
    assert.equal(second.status, 503);
    const busy = await head();
    assert.equal(busy.status, 503);
    assert.equal(busy.headers['retry-after'], '7');
    first.close();
    await first.ended;
    for (let i = 0; i < 50 && (await head()).status !== 200; i++)
      await new Promise((r) => setTimeout(r, 10));
    const third = await openStream(port);
    assert.equal(third.status, 200);
    third.close();
  });
});
