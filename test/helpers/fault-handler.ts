/**
 * Faults at a client's request handler, the one place both the SDK's calls and the wire's (runtime/aws/json-wire.ts)
 * pass: a call can be answered as AWS answers an error (a status and a `__type`), or fail as a socket does. SDK
 * middleware would not see the wire's calls, so a fault injected there would silently never happen.
 */
import { Readable } from 'node:stream';

/** What a spec sees of a request. */
export interface WireRequest {
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

/** What a handler answers. */
export interface Handled {
  readonly response: {
    readonly statusCode: number;
    readonly headers: Record<string, string>;
    readonly body: unknown;
  };
}

interface Handler {
  handle: (request: WireRequest, options?: unknown) => Promise<Handled>;
}

/** The operation of a JSON-protocol request (`GetRecords` of `Kinesis_20131202.GetRecords`), if it is one. */
export const operationOf = (request: WireRequest): string | undefined =>
  request.headers['x-amz-target']?.split('.').pop();

/**
 * An error response as AWS writes one for a JSON protocol: both paths read it into an error named `type`.
 * @example awsErrorAnswer('ExpiredIteratorException', 'Iterator expired (injected)')
 */
export const awsErrorAnswer = (type: string, message: string, status = 400): Handled => ({
  response: {
    statusCode: status,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-errortype': type },
    body: Readable.from([Buffer.from(JSON.stringify({ __type: type, message }))]),
  },
});

/** A connection reset, as a socket fails (retriable). */
export const connectionReset = (what: string): Error =>
  Object.assign(new Error(`socket hang up (${what})`), { code: 'ECONNRESET' });

/**
 * Routes every request of `client` through `intercept` (which may `forward` it); `remove` restores the handler.
 * A document client shares its DynamoDB client's handler: intercepting one intercepts both.
 * @example
 * const cut = interceptRequests(clients.dynamodb, (req, forward) => (down ? Promise.reject(connectionReset('cut')) : forward()));
 */
export const interceptRequests = (
  client: { readonly config: { readonly requestHandler: unknown } },
  intercept: (request: WireRequest, forward: () => Promise<Handled>) => Promise<Handled>,
): { readonly remove: () => void } => {
  const handler = client.config.requestHandler as Handler;
  const own = Object.hasOwn(handler, 'handle');
  const original = handler.handle;
  handler.handle = (request, options) =>
    intercept(request, () => original.call(handler, request, options));
  return {
    remove: () => {
      if (own) handler.handle = original;
      else delete (handler as Partial<Handler>).handle;
    },
  };
};
