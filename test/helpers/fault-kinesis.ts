/**
 * Fault injection for the Kinesis tests. Emulators never throttle, so PutRecords partial failures are
 * injected by SDK middleware: entries chosen to fail are taken out of the request before it is sent (they never
 * reach the stream) and put back into the response as `ProvisionedThroughputExceededException` entries, exactly as
 * AWS reports a throttled entry (PutRecords stays with the SDK, so middleware sees it). A call of the readers
 * (GetRecords, on the wire) is answered at the request handler instead (`injectCallFaults`). Everything else goes
 * to the real emulator, which does the work.
 */
import type {
  KinesisClient,
  PutRecordsCommandOutput,
  PutRecordsInput,
  PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';

import { awsErrorAnswer, type Handled, interceptRequests, operationOf } from './fault-handler.ts';

/** What to break. */
export interface PutRecordsFaults {
  /** Per entry of each call: an error code to fail it with, or undefined to let it through. */
  readonly failEntry?: (call: number, index: number) => string | undefined;
  /** Per call: an error to throw instead of sending anything (a whole-request failure). */
  readonly failCall?: (call: number) => Error | undefined;
  /** Delay before each call is forwarded (a slow stream, to fill the producer's buffer). */
  readonly delayMs?: number;
  /** Called before each call is forwarded (to sample the producer's state). */
  readonly onCall?: (call: number, entries: number) => void;
}

/** What the middleware saw. */
export interface FaultStats {
  calls: number;
  /** Entries the producer sent, failed ones included. */
  attempted: number;
  /** Entries failed by injection. */
  injected: number;
  /** Entries that reached the emulator. */
  forwarded: number;
}

const NAME = 'prestacopFaultInjection';

/** A throttling error as the SDK raises it for a whole request. */
export const throttlingError = (): Error =>
  Object.assign(new Error('Rate exceeded for shard (injected)'), {
    name: 'ProvisionedThroughputExceededException',
    $metadata: { httpStatusCode: 400 },
  });

/**
 * Adds the fault middleware to a client (use a client of its own: the middleware sees every call).
 * @example
 * const faults = injectPutRecordsFaults(kinesis, { failEntry: (_c, i) => (i % 5 === 0 ? 'InternalFailure' : undefined) });
 * ...; faults.remove();
 */
export const injectPutRecordsFaults = (
  client: KinesisClient,
  faults: PutRecordsFaults,
): { readonly stats: FaultStats; readonly remove: () => void } => {
  const stats: FaultStats = { calls: 0, attempted: 0, injected: 0, forwarded: 0 };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== 'PutRecordsCommand') return next(args);
      const call = stats.calls++;
      const input = args.input as PutRecordsInput;
      const records = input.Records ?? [];
      stats.attempted += records.length;
      faults.onCall?.(call, records.length);
      if (faults.delayMs) await new Promise((r) => setTimeout(r, faults.delayMs));
      const whole = faults.failCall?.(call);
      if (whole) {
        stats.injected += records.length;
        throw whole;
      }
      const codes = records.map((_, i) => faults.failEntry?.(call, i));
      const kept = records.filter((_, i) => codes[i] === undefined);
      stats.injected += records.length - kept.length;
      stats.forwarded += kept.length;
      const real =
        kept.length > 0
          ? await next({ ...args, input: { ...input, Records: kept } })
          : { output: { Records: [], FailedRecordCount: 0, $metadata: {} }, response: {} };
      const out = real.output as PutRecordsCommandOutput;
      const results = out.Records ?? [];
      let k = 0;
      const merged: PutRecordsResultEntry[] = codes.map((code) =>
        code === undefined
          ? (results[k++] ?? {})
          : { ErrorCode: code, ErrorMessage: `${code} (injected)` },
      );
      const failed = merged.filter((e) => e.ErrorCode !== undefined).length;
      const output: PutRecordsCommandOutput = {
        ...out,
        Records: merged,
        FailedRecordCount: failed,
      };
      return { ...real, output };
    },
    { step: 'initialize', name: NAME, override: true },
  );
  return { stats, remove: () => void client.middlewareStack.remove(NAME) };
};

/**
 * Answers calls of one operation (e.g. `GetRecords`) with `fail(call)`'s error response when it gives one, at the
 * client's request handler (so the wire's calls are seen too: fault-handler.ts); counts the calls.
 * @example const faults = injectCallFaults(kinesis, 'GetRecords', (n) => (n % 3 === 2 ? expiredIterator() : undefined));
 */
export const injectCallFaults = (
  client: KinesisClient,
  operation: string,
  fail: (call: number) => Handled | undefined,
): { readonly calls: () => number; readonly remove: () => void } => {
  let calls = 0;
  const { remove } = interceptRequests(client, (request, forward) => {
    if (operationOf(request) !== operation) return forward();
    const answer = fail(calls++);
    return answer ? Promise.resolve(answer) : forward();
  });
  return { calls: () => calls, remove };
};

/** GetRecords' answer for an iterator older than five minutes. */
export const expiredIterator = (): Handled =>
  awsErrorAnswer('ExpiredIteratorException', 'Iterator expired (injected)');

/** Kinesis's answer to a call over the shard's rate. */
export const throttled = (): Handled =>
  awsErrorAnswer('ProvisionedThroughputExceededException', 'Rate exceeded for shard (injected)');
