/**
 * The console's options: a rejected token is never shown, the public origin's form, and the checks across
 * options (who may use the console), including the per-operator tokens file.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { commandOfActor } from '../../runtime/launcher.ts';
import { operatorConsole } from './actor.ts';
import { consoleAccessOf, type ConsoleConfig } from './config.ts';
import { parseOperators } from './operators-file.ts';

const config = (argv: string[], env: Record<string, string> = {}): ConsoleConfig | string => {
  const r = loadConfig(commandOfActor(operatorConsole), argv, env);
  return E.isRight(r) ? r.right : r.left._tag === 'ConfigError' ? r.left.issues.join('\n') : 'help';
};

const issuesOf = (argv: string[]): string => {
  const cfg = config(argv);
  if (typeof cfg === 'string') return cfg;
  const access = consoleAccessOf(cfg);
  return E.isLeft(access) ? access.left.join('\n') : '';
};

const dir = mkdtempSync(join(tmpdir(), 'console-operators-'));
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe('Operator console > options', () => {
  it('never shows a rejected token, from the flag or the env', () => {
    const secret = 'SECRET-short';
    const fromFlag = config(['--token', secret]);
    const fromEnv = config([], { PRESTACOP_CONSOLE_TOKEN: secret });
    for (const issues of [fromFlag, fromEnv]) {
      assert.ok(typeof issues === 'string');
      assert.match(issues, /16 characters or more.*--token, env PRESTACOP_CONSOLE_TOKEN/);
      assert.ok(!issues.includes(secret), issues);
    }
  });

  it('takes an https origin without a path as the public origin', () => {
    const origin = (o: string) => {
      const cfg = config(['--token', 'a-long-enough-token-1', '--public-origin', o]);
      return typeof cfg === 'string' ? cfg : cfg.publicOrigin;
    };
    assert.equal(origin('https://console.example.org/'), 'https://console.example.org');
    assert.equal(origin('https://console.example.org:8443'), 'https://console.example.org:8443');
    for (const bad of [
      'http://console.example.org',
      'https://console.example.org/x',
      'console',
      'https://a?b',
    ])
      assert.match(String(origin(bad)), /https origin.*--public-origin/, bad);
  });

  it('defaults to 12 h sessions and 100 streams; takes both as options', () => {
    const access = (argv: string[]) => {
      const cfg = config(argv);
      if (typeof cfg === 'string') return cfg;
      const a = consoleAccessOf(cfg);
      return E.isRight(a) ? a.right : a.left.join('\n');
    };
    assert.deepEqual(access([]), { sessionTtlMs: 43_200_000, maxStreams: 100 });
    assert.deepEqual(access(['--session-hours', '0.5', '--max-streams', '3']), {
      sessionTtlMs: 1_800_000,
      maxStreams: 3,
    });
    assert.match(JSON.stringify(access(['--max-streams', '0'])), /--max-streams/);
    assert.match(JSON.stringify(access(['--session-hours', '0'])), /--session-hours/);
  });

  it('counts the dead-letter notes every 30 s by default; takes 1-3600 s from the flag or the env', () => {
    const poll = (argv: string[], env: Record<string, string> = {}) => {
      const cfg = config(argv, env);
      return typeof cfg === 'string' ? cfg : cfg.needsHumanPollSeconds;
    };
    assert.equal(poll([]), 30);
    assert.equal(poll(['--needs-human-poll-seconds', '1']), 1);
    assert.equal(poll([], { PRESTACOP_CONSOLE_NEEDS_HUMAN_POLL_SECONDS: '3600' }), 3_600);
    for (const bad of ['0', '-5', '1.5', '3601', 'soon', ' '])
      assert.match(
        String(poll([], { PRESTACOP_CONSOLE_NEEDS_HUMAN_POLL_SECONDS: bad })),
        /--needs-human-poll-seconds, env PRESTACOP_CONSOLE_NEEDS_HUMAN_POLL_SECONDS/,
        bad,
      );
  });

  it('needs a token off loopback and behind a public origin; one kind of token at a time', () => {
    const ops = file('ok.txt', 'sgt.rivera rivera-token-0123456789\n');
    assert.match(
      issuesOf(['--host', '0.0.0.0']),
      /not loopback: --token .* or --operators is required/,
    );
    assert.match(issuesOf(['--host', '127.0.0.1.example.com']), /not loopback/);
    assert.equal(issuesOf(['--host', '127.0.0.2']), '');
    assert.equal(issuesOf(['--host', '0.0.0.0', '--operators', ops]), '');
    assert.match(
      issuesOf(['--public-origin', 'https://console.example.org']),
      /--public-origin .* --token or --operators is required/,
    );
    assert.match(
      issuesOf(['--token', 'a-long-enough-token-1', '--operators', ops]),
      /exclude each other/,
    );
  });

  it('refuses a bad combination at start, as a config error naming the flag (exit 78), and gives who may use it', () => {
    assert.match(
      JSON.stringify(config(['--host', '0.0.0.0'])),
      /^"at \.host: --host 0\.0\.0\.0 is not loopback.*\(flag --host, env PRESTACOP_CONSOLE_HOST\)"$/,
    );
    assert.match(
      JSON.stringify(
        config([], { PRESTACOP_CONSOLE_PUBLIC_ORIGIN: 'https://console.example.org' }),
      ),
      /at \.publicOrigin: .*flag --public-origin/,
    );
    const cfg = config(['--session-hours', '1'], {
      PRESTACOP_CONSOLE_TOKEN: 'a-long-enough-token-1',
    });
    if (typeof cfg === 'string') return assert.fail(cfg);
    assert.deepEqual(cfg.access, {
      token: 'a-long-enough-token-1',
      sessionTtlMs: 3_600_000,
      maxStreams: 100,
    });
  });

  it('reads per-operator tokens as "name token" lines or JSON, and says what is wrong without a token', () => {
    const lines = file(
      'ops.txt',
      '# name token\n\nsgt.rivera rivera-token-0123456789\nofc.chen  chen-token-0123456789ab\n',
    );
    const json = file('ops.json', '{ "sgt.rivera": "rivera-token-0123456789" }');
    for (const path of [lines, json]) {
      const cfg = config(['--operators', path]);
      assert.notEqual(typeof cfg, 'string');
      const access = consoleAccessOf(cfg as ConsoleConfig);
      assert.ok(E.isRight(access));
      assert.equal(access.right.operators?.[0]?.name, 'sgt.rivera');
    }
    const short = 'short-SECRET';
    const issues = (text: string) => {
      const r = parseOperators(text);
      return E.isLeft(r) ? r.left.join('\n') : '';
    };
    const bad = issues(
      [
        `sgt.rivera ${short}`,
        'ofc.chen chen-token-0123456789ab',
        'ofc.chen other-token-0123456789',
        'ofc.kim chen-token-0123456789ab',
        'no token-here and-more-SECRET-1234567',
        'bad name shared-SECRET-012345678',
      ].join('\n'),
    );
    assert.match(bad, /line 1: the token of sgt.rivera must be 16 to 512/);
    assert.match(bad, /line 3: ofc.chen is listed twice \(also line 2\)/);
    assert.match(bad, /line 4: ofc.kim has the same token as ofc.chen/);
    assert.match(bad, /line 5: expected "name token"/);
    assert.ok(!/SECRET|chen-token|other-token/.test(bad), bad);
    assert.match(
      issues('{ "<b>x</b>": "rivera-token-0123456789" }'),
      /entry 1: an operator name is/,
    );
    assert.match(issues('{ "a": 1 }'), /entry 1: the token must be a string/);
    assert.match(issues('{ "a": '), /not valid JSON/);
    assert.match(issues('# nobody\n'), /no operator/);
    assert.match(
      issuesOf(['--operators', join(dir, 'missing')]),
      /--operators .*missing: ENOENT: cannot read it/,
    );
    assert.match(
      issuesOf(['--operators', file('short.txt', `a ${short}\n`)]),
      /--operators .*short.txt: line 1: the token of a must be/,
    );
  });
});
