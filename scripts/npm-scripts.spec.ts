/**
 * A service started the README's way (`npm run -s <service>`) stops with SIGTERM to what the user started: npm
 * forwards the signal to its child only, so the script must leave no shell or launcher in between (`exec`, and one
 * node process with `--import tsx`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';

const ROOT = new URL('..', import.meta.url);

/** Services and long-running tools a user starts with `npm run` and stops with a signal. */
const LONG_RUNNING = [
  'drone-simulator',
  'stream-to-storage',
  'alert-system',
  'operator-console',
  'csv-to-stream',
  'stack',
  'swarm',
];

/** Every live process (pid → parent pid, command line), from /proc. */
const processes = (): Map<number, { ppid: number; cmd: string }> => {
  const out = new Map<number, { ppid: number; cmd: string }>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // `pid (comm) state ppid ...`: comm may hold spaces and parentheses, so read after the last ')'.
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue; // exited, not yet reaped
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      out.set(Number(name), { ppid: Number(ppid), cmd });
    } catch {
      // gone meanwhile
    }
  }
  return out;
};

const descendantsOf = (root: number): Map<number, string> => {
  const all = processes();
  const found = new Map<number, string>();
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, p] of all)
      if (frontier.includes(p.ppid) && !found.has(pid)) {
        found.set(pid, p.cmd);
        next.push(pid);
      }
    frontier = next;
  }
  return found;
};

const alive = (pid: number): boolean => processes().has(pid);

const until = async (ok: () => boolean, ms: number, what: string): Promise<void> => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

describe('Scripts > npm run', () => {
  it('every long-running script hands the process over (exec), leaving no shell between npm and node', () => {
    const { scripts } = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
      scripts: Record<string, string>;
    };
    for (const name of LONG_RUNNING) {
      const last = scripts[name]!.split('&&').at(-1)!.trim();
      assert.match(last, /^exec (env [A-Z_]+=\S+ )*node /, `${name}: ${scripts[name]}`);
    }
  });

  describe('SIGTERM to npm', function () {
    this.timeout(90_000);
    // Endpoints that accept connections and never answer: the service stays up (starting) without a stack.
    let blackHole: Server;
    const held: Socket[] = [];
    let endpoint: string;
    before(async () => {
      blackHole = createServer((c) => void held.push(c));
      await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
      const address = blackHole.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      endpoint = `http://127.0.0.1:${address.port}`;
    });
    after(() => {
      held.forEach((c) => c.destroy());
      blackHole.close();
    });

    it('stops the service: nothing npm started stays running', async () => {
      const npm = spawn(
        'npm',
        [
          'run',
          '-s',
          'operator-console',
          '--',
          '--port',
          '0',
          ...['kinesis', 'dynamodb', 's3', 'sns'].flatMap((s) => [`--${s}-endpoint`, endpoint]),
        ],
        { cwd: ROOT, stdio: 'ignore' },
      );
      const pid = npm.pid!;
      const exited = new Promise<void>((r) => npm.once('exit', () => r()));
      let tree = new Map<number, string>();
      try {
        // Started: the node process running the entry point is there (not a shell about to exec it).
        await until(
          () => {
            tree = descendantsOf(pid);
            return [...tree.values()].some(
              (cmd) => cmd.includes('operator-console/main.ts') && !/^(\/bin\/)?sh /.test(cmd),
            );
          },
          60_000,
          'the service did not start',
        );
        await new Promise((r) => setTimeout(r, 500));
        tree = descendantsOf(pid);
        process.kill(pid, 'SIGTERM');
        await exited;
        await until(() => [...tree.keys()].every((p) => !alive(p)), 15_000, 'a process stayed');
      } finally {
        for (const p of [pid, ...tree.keys()]) if (alive(p)) process.kill(p, 'SIGKILL');
      }
    });
  });
});
