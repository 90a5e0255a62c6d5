/**
 * One local AWS stack per mocha process, started on first use. Integration tests call {@link useStack} in a
 * `before` hook; unit-only runs never call it, so they never start an emulator (this module imports the stack
 * code lazily for the same reason). test/helpers/global-stack.ts stops it after the run.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import type { AwsClients } from '../../runtime/aws/clients.ts';
import type { LocalStack } from '../../runtime/local-stack/index.ts';

/** A started stack plus clients pointing at it. */
export type TestStack = LocalStack & { readonly clients: AwsClients };

let starting: Promise<TestStack> | undefined;
let tempDir: string | undefined;

/**
 * The shared stack: free ports, a fresh temporary data folder, config/resources.json provisioned. Use
 * {@link uniqueName} for anything a test creates, so tests never share a stream or table.
 * @example
 * let stack: TestStack;
 * before(async function () { this.timeout(60_000); stack = await useStack(); });
 */
export const useStack = (): Promise<TestStack> => {
  starting ??= (async () => {
    const [{ startLocalStack }, { createAwsClients }] = await Promise.all([
      import('../../runtime/local-stack/index.ts'),
      import('../../runtime/aws/clients.ts'),
    ]);
    tempDir = mkdtempSync(join(tmpdir(), 'prestacop-stack-'));
    const stack = await startLocalStack({
      dataDir: join(tempDir, 'data'),
      ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
      log: process.env.PRESTACOP_STACK_DEBUG ? (l) => console.log(`  [stack] ${l}`) : undefined,
    });
    return { ...stack, clients: createAwsClients(stack.target) };
  })();
  return starting;
};

/** Stops the shared stack if it was started, and removes its data. Idempotent. */
export const stopSharedStack = async (): Promise<void> => {
  const pending = starting;
  starting = undefined;
  if (pending !== undefined) {
    // A failed start has already stopped what it started.
    const stack = await pending.catch(() => undefined);
    stack?.clients.destroy();
    await stack?.stop();
  }
  if (tempDir !== undefined) rmSync(tempDir, { recursive: true, force: true });
  tempDir = undefined;
};

/**
 * A name no other test (or earlier run on the same data) uses: `prefix-<time>-<random>`, lowercase so it is
 * valid for every service, S3 buckets included.
 * @example const stream = uniqueName('reports'); // 'reports-lq3k2a-9f3c1b'
 */
export const uniqueName = (prefix: string): string =>
  `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
