import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';

const CHILD = new URL('../test/helpers/service-child.ts', import.meta.url).pathname;

/** Starts the child service; resolves once it logged that it started, with its exit and its log so far. */
const startChild = async (stopMs: number) => {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, String(stopMs)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('service-child started')) resolve();
    });
    void exited.then((code) => reject(new Error(`exited (${code}) before starting:\n${out}`)));
  });
  return { child, exited, log: () => out };
};

const until = async (ok: () => boolean): Promise<void> => {
  while (!ok()) await new Promise((r) => setTimeout(r, 1));
};

describe('Runtime > runService signals', function () {
  this.timeout(60_000);

  it('one Ctrl-C delivered twice (the terminal and npm) stops gracefully, exit 0', async () => {
    const { child, exited, log } = await startChild(1_000);
    child.kill('SIGINT');
    // npm's copy comes once the first was taken (two sent at once would merge into one pending signal).
    await until(() => log().includes('"msg":"service-child stopping"'));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.match(log(), /"msg":"service-child stopped"/);
  });

  it('a second Ctrl-C while draining exits at once (130), without waiting for the stop', async () => {
    const { child, exited, log } = await startChild(20_000);
    child.kill('SIGINT');
    await until(() => log().includes('"msg":"service-child stopping"'));
    await new Promise((r) => setTimeout(r, 2_500));
    child.kill('SIGINT');
    assert.equal(await exited, 130);
    assert.doesNotMatch(log(), /"msg":"service-child stopped"/);
  });
});
