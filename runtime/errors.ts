/**
 * Expected failures are values with a `_tag`, never class trees (STYLE §5). Turn them into text only at the
 * edges (a log line, a dead-letter body) with {@link describeError}.
 */

/** Bytes that did not decode into the topic's codec: deterministic, so dead-letter and move on. */
export interface DecodeFailure {
  readonly _tag: 'DecodeFailure';
  readonly topic: string;
  readonly issues: ReadonlyArray<string>;
}

/** A port (SDK call, file, socket) failed. `retriable` decides between retry and dead letter. */
export interface PortFailure {
  readonly _tag: 'PortFailure';
  readonly port: string;
  readonly retriable: boolean;
  readonly message: string;
  readonly cause: unknown;
}

/** A retriable failure that kept failing. */
export interface RetriesExhausted {
  readonly _tag: 'RetriesExhausted';
  readonly attempts: number;
  readonly last: RuntimeError;
}

/** Configuration did not validate at start-up: every issue is printed, the process exits 78 (EX_CONFIG). */
export interface ConfigError {
  readonly _tag: 'ConfigError';
  readonly issues: ReadonlyArray<string>;
}

/**
 * A store refused to overwrite an id holding other content (a reused or forged id): deterministic, so dead-letter
 * at once. The dead letter's raw bytes are the refused version; `stored` is the version kept, as JSON, so the
 * letter carries both.
 */
export interface IdConflict {
  readonly _tag: 'IdConflict';
  /** Where: `hot-table`, `alarm-store`. */
  readonly store: string;
  readonly id: string;
  /** Content hash of the refused version, and of the stored one (absent if it predates hashes). */
  readonly hash: string;
  readonly storedHash?: string;
  /** The stored version (JSON text). */
  readonly stored: string;
}

export type RuntimeError =
  DecodeFailure | PortFailure | RetriesExhausted | ConfigError | IdConflict;

// ---------------------------------------------------------------------------------------------------------------
// constructors

export const decodeFailure = (topic: string, issues: ReadonlyArray<string>): DecodeFailure => ({
  _tag: 'DecodeFailure',
  topic,
  issues,
});

export const portFailure = (
  port: string,
  cause: unknown,
  retriable = isRetriableCause(cause),
): PortFailure => ({
  _tag: 'PortFailure',
  port,
  retriable,
  message: cause instanceof Error ? cause.message : String(cause),
  cause,
});

/** Curried form for `.catch(toPortFailure('kinesis'))` and `TE.tryCatch(..., toPortFailure('s3'))`. */
export const toPortFailure =
  (port: string) =>
  (cause: unknown): PortFailure =>
    portFailure(port, cause);

export const retriesExhausted = (attempts: number, last: RuntimeError): RetriesExhausted => ({
  _tag: 'RetriesExhausted',
  attempts,
  last,
});

export const idConflict = (c: Omit<IdConflict, '_tag'>): IdConflict => ({
  _tag: 'IdConflict',
  ...c,
});

export const configError = (issues: ReadonlyArray<string>): ConfigError => ({
  _tag: 'ConfigError',
  issues,
});

// ---------------------------------------------------------------------------------------------------------------
// utils

const RETRIABLE_NAMES = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'LimitExceededException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalFailure',
  'InternalServerError',
  'InternalError',
  'KMSThrottlingException',
  'SlowDown',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'TransactionConflictException',
]);
const RETRIABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
]);

/**
 * Whether an SDK or socket error is worth retrying: throttling, 5xx, timeouts and connection errors are;
 * validation, access and not-found errors are not.
 */
export const isRetriableCause = (cause: unknown): boolean => {
  if (typeof cause !== 'object' || cause === null) return false;
  const e = cause as {
    name?: unknown;
    code?: unknown;
    $retryable?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    cause?: unknown;
  };
  if (typeof e.name === 'string' && RETRIABLE_NAMES.has(e.name)) return true;
  if (typeof e.code === 'string' && RETRIABLE_CODES.has(e.code)) return true;
  if (e.$retryable) return true;
  const status = e.$metadata?.httpStatusCode;
  if (typeof status === 'number' && (status >= 500 || status === 429)) return true;
  return e.cause !== undefined && e.cause !== cause ? isRetriableCause(e.cause) : false;
};

/** Narrows an unknown rejection to a {@link RuntimeError} if it is one. */
export const isRuntimeError = (u: unknown): u is RuntimeError =>
  typeof u === 'object' &&
  u !== null &&
  '_tag' in u &&
  ['DecodeFailure', 'PortFailure', 'RetriesExhausted', 'ConfigError', 'IdConflict'].includes(
    u._tag as string,
  );

/** A PortFailure worth trying again (a `withRetry` predicate). */
export const isRetriablePortFailure = (e: unknown): e is PortFailure =>
  isRuntimeError(e) && e._tag === 'PortFailure' && e.retriable;

/** One line of text per error, for logs and dead letters. */
export const describeError = (e: unknown): ReadonlyArray<string> => {
  if (!isRuntimeError(e)) return [e instanceof Error ? `${e.name}: ${e.message}` : String(e)];
  switch (e._tag) {
    case 'DecodeFailure':
      return e.issues.map((i) => `${e.topic}: ${i}`);
    case 'PortFailure':
      return [`${e.port} failed${e.retriable ? ' (retriable)' : ''}: ${e.message}`];
    case 'RetriesExhausted':
      return [`gave up after ${e.attempts} attempts`, ...describeError(e.last)];
    case 'ConfigError':
      return e.issues;
    case 'IdConflict':
      return [
        `${e.store}: id ${e.id} already holds other content (sha256 ${e.storedHash ?? 'unknown'}); ` +
          `this version (sha256 ${e.hash}) was not stored`,
        `stored version: ${e.stored}`,
      ];
  }
};
