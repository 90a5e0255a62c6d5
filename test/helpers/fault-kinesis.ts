/**
 * Fault injection for the Kinesis producer tests. Emulators never throttle, so PutRecords partial failures are
 * injected by SDK middleware: entries chosen to fail are taken out of the request before it is sent (they never
 * reach the stream) and put back into the response as `ProvisionedThroughputExceededException` entries, exactly as
 * AWS reports a throttled entry. Everything else goes to the real emulator, which does the work.
 */
import type {
  KinesisClient,
  PutRecordsCommandOutput,
  PutRecordsInput,
  PutRecordsResultEntry,
} from '@aws-sdk/client-kinesis';

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
 * Fails calls of one command (e.g. `GetRecordsCommand`) when `fail(call)` returns an error; counts the calls.
 * @example const faults = injectCallFaults(kinesis, 'GetRecordsCommand', (n) => (n % 3 === 2 ? expiredIterator() : undefined));
 */
export const injectCallFaults = (
  client: KinesisClient,
  commandName: string,
  fail: (call: number, input: unknown) => Error | undefined,
): { readonly calls: () => number; readonly remove: () => void } => {
  let calls = 0;
  const name = `${NAME}-${commandName}`;
  client.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName !== commandName) return next(args);
      const error = fail(calls++, args.input);
      if (error) throw error;
      return next(args);
    },
    { step: 'initialize', name, override: true },
  );
  return { calls: () => calls, remove: () => void client.middlewareStack.remove(name) };
};

/** The error GetRecords raises for an iterator older than five minutes. */
export const expiredIterator = (): Error =>
  Object.assign(new Error('Iterator expired (injected)'), {
    name: 'ExpiredIteratorException',
    $metadata: { httpStatusCode: 400 },
  });
