/**
 * AWS's JSON protocols on the wire, for the few calls a busy process makes many times a second: a POST with
 * `X-Amz-Target: <prefix>.<Operation>` (the documented JSON 1.0 / 1.1 protocol of DynamoDB and Kinesis), signed
 * with SigV4 (sigv4.ts, held equal to the SDK's signer) with the client's own credentials, region, clock offset and
 * endpoint, and sent through the client's own request handler (same sockets, same keep-alive agent, same
 * timeouts). Every other call stays with the SDK.
 *
 * Why: the SDK's generic path (schema serde, endpoint rules and the middleware stack on every call) costs far more
 * than the request. Measured here (one process, Node 24, keep-alive, 500 calls each after 50 warm-up; emulators of
 * `npm run stack`; scratch script in the issue 20 note): an empty GetRecords 0.9-1.6 ms of CPU through the SDK
 * against 0.33-0.46 on this path; GetRecords of 20 records of 8 KB 3.9-5.2 ms against 2.7-3.2; a conditional
 * UpdateItem 0.85-1.3 ms (document client) against ~0.4. A storage writer or alert system makes such calls every
 * second on every shard (polls, checkpoints, lease renewals) and the writer 50 batch calls a second at 1,000 drones.
 *
 * What the SDK did and this keeps: retries of throttling, 5xx and connection errors with backoff (up to the
 * client's `maxAttempts`), errors named as the SDK names them (`__type` without its namespace as `name`,
 * `$metadata.httpStatusCode`, `$fault`), so `isRetriableCause` and the callers' name checks read them the same; an
 * abort signal (the caller's timeout or stop) ends the call and is never retried; a bound on the response size.
 * What it does not keep: the SDK's adaptive retry mode and client-side rate limiter (not used here), its
 * account-id endpoints (the regional endpoint is used), and checksums (JSON protocols have none).
 */
import { hash } from 'node:crypto';

import type { SignatureV4Init } from '@smithy/signature-v4';

import { isRetriableCause } from '../errors.ts';
import { backoff, type BackoffPolicy, sleep } from '../retry.ts';
import { createSigner, type Sign, type SigningCredentials } from './sigv4.ts';

/** An AWS error as the SDK names it: `name` from `__type`, the HTTP status in `$metadata`. */
export class AwsWireError extends Error {
  readonly $metadata: { readonly httpStatusCode: number };
  readonly $fault: 'client' | 'server';
  constructor(name: string, message: string, status: number) {
    super(message);
    this.name = name;
    this.$metadata = { httpStatusCode: status };
    this.$fault = status >= 500 ? 'server' : 'client';
  }
}

/** One JSON protocol: the signing name, the target prefix and the content type of a service. */
export interface JsonProtocol {
  readonly service: string;
  readonly targetPrefix: string;
  readonly contentType: string;
  /** Extra parameters of the service's endpoint rules (e.g. DynamoDB's account-id endpoint mode). */
  readonly endpointParams?: Readonly<Record<string, unknown>>;
}

export const DYNAMODB_JSON: JsonProtocol = {
  service: 'dynamodb',
  targetPrefix: 'DynamoDB_20120810',
  contentType: 'application/x-amz-json-1.0',
  endpointParams: { AccountIdEndpointMode: 'disabled' },
};

export const KINESIS_JSON: JsonProtocol = {
  service: 'kinesis',
  targetPrefix: 'Kinesis_20131202',
  contentType: 'application/x-amz-json-1.1',
};

/** A response larger than this is refused (BatchGetItem's own cap is 16 MB, GetRecords' 10 MB). */
export const MAX_RESPONSE_BYTES = 20 * 1024 * 1024;

const wireBackoff: BackoffPolicy = {
  initialMs: 25,
  factor: 2,
  jitter: 0.5,
  maxMs: 5_000,
  retries: Infinity,
};

/** What this needs of the client's request handler (a `NodeHttpHandler` unless the caller gave another). */
interface RequestHandler {
  readonly handle: (
    request: unknown,
    options?: { abortSignal?: AbortSignal },
  ) => Promise<{ readonly response: { readonly statusCode: number; readonly body: unknown } }>;
}

interface Endpoint {
  readonly protocol: string;
  readonly hostname: string;
  readonly port?: number;
  readonly path: string;
}

/** What this reads of an SDK client's resolved config (a DynamoDB, document or Kinesis client's). */
export interface WireClientConfig {
  readonly region: () => Promise<string>;
  readonly endpoint?: () => Promise<{
    protocol: string;
    hostname: string;
    port?: number;
    path: string;
  }>;
  readonly endpointProvider: (params: never) => { url: URL };
  readonly useFipsEndpoint: () => Promise<boolean>;
  readonly useDualstackEndpoint: () => Promise<boolean>;
  readonly credentials: SignatureV4Init['credentials'];
  readonly maxAttempts: () => Promise<number>;
  readonly systemClockOffset?: number;
  readonly requestHandler: unknown;
}

/** Signed calls of one protocol. */
export interface JsonWire {
  /**
   * One call of `operation` with `body` (JSON text); resolves with the parsed response, rejects with an
   * {@link AwsWireError} (or the handler's own error: a socket, a timeout, an abort).
   */
  readonly call: (operation: string, body: string, abortSignal?: AbortSignal) => Promise<unknown>;
}

/**
 * The wire calls of a client.
 * @example const wire = createJsonWire(clients.kinesis, KINESIS_JSON); await wire.call('GetRecords', body);
 */
export const createJsonWire = (
  client: { readonly config: WireClientConfig },
  protocol: JsonProtocol,
): JsonWire => {
  const config = client.config;
  let ready:
    Promise<{ endpoint: Endpoint; host: string; sign: Sign; attempts: number }> | undefined;
  const setUp = async () => {
    const region = await config.region();
    const custom = config.endpoint ? await config.endpoint() : undefined;
    const endpoint: Endpoint = custom
      ? {
          protocol: custom.protocol,
          hostname: custom.hostname,
          path: custom.path || '/',
          ...(custom.port === undefined ? {} : { port: custom.port }),
        }
      : fromUrl(
          config.endpointProvider({
            Region: region,
            UseFIPS: await config.useFipsEndpoint(),
            UseDualStack: await config.useDualstackEndpoint(),
            ...protocol.endpointParams,
          } as never).url,
        );
    const sign = createSigner(region, protocol.service);
    const host =
      endpoint.port === undefined ? endpoint.hostname : `${endpoint.hostname}:${endpoint.port}`;
    return { endpoint, host, sign, attempts: Math.max(1, await config.maxAttempts()) };
  };

  const once = async (operation: string, body: string, abortSignal?: AbortSignal) => {
    const { endpoint, host, sign } = await (ready ??= setUp());
    // The body as bytes once: its length, its hash and the socket all take these (as text it was encoded or
    // scanned three times). The payload hash is signed, and sent as `x-amz-content-sha256`, as the SDK does.
    const bytes = Buffer.from(body, 'utf8');
    const payloadHash = hash('sha256', bytes, 'hex');
    // The client's own provider, every call: it caches, and renews what expires (instance roles).
    const credentials = (
      typeof config.credentials === 'function' ? await config.credentials() : config.credentials
    ) as SigningCredentials;
    const headers = sign(
      endpoint.path,
      {
        host,
        'content-type': protocol.contentType,
        'content-length': String(bytes.length),
        'x-amz-target': `${protocol.targetPrefix}.${operation}`,
        'x-amz-content-sha256': payloadHash,
      },
      payloadHash,
      credentials,
      new Date(Date.now() + (config.systemClockOffset ?? 0)),
    );
    const request = {
      method: 'POST',
      protocol: endpoint.protocol,
      hostname: endpoint.hostname,
      ...(endpoint.port === undefined ? {} : { port: endpoint.port }),
      path: endpoint.path,
      query: {},
      headers,
      body: bytes,
    };
    const { response } = await (config.requestHandler as RequestHandler).handle(
      request,
      abortSignal ? { abortSignal } : undefined,
    );
    const text = await readBody(response.body as NodeJS.ReadableStream);
    if (response.statusCode === 200) return JSON.parse(text) as unknown;
    let type = `HTTP${response.statusCode}`;
    let message = text.slice(0, 500);
    try {
      const err = JSON.parse(text) as { __type?: string; message?: string; Message?: string };
      if (err.__type) type = err.__type.slice(err.__type.lastIndexOf('#') + 1);
      message = err.message ?? err.Message ?? message;
    } catch {
      // not JSON (a proxy's page): the status and the text say it
    }
    throw new AwsWireError(type, `${type}: ${message}`, response.statusCode);
  };

  return {
    // Retried like the SDK's standard mode: retriable errors, up to `maxAttempts` in all; never once aborted.
    call: async (operation, body, abortSignal) => {
      const { attempts } = await (ready ??= setUp());
      for (let attempt = 1; ; attempt++) {
        try {
          return await once(operation, body, abortSignal);
        } catch (e) {
          if (attempt >= attempts || abortSignal?.aborted || !isRetriableCause(e)) throw e;
          await sleep(backoff(attempt, wireBackoff, Math.random), abortSignal);
        }
      }
    },
  };
};

const fromUrl = (url: URL): Endpoint => ({
  protocol: url.protocol,
  hostname: url.hostname,
  path: url.pathname || '/',
  ...(url.port ? { port: Number(url.port) } : {}),
});

/** The whole body as text, refused past {@link MAX_RESPONSE_BYTES}. Events rather than `for await` (cheaper). */
const readBody = (body: NodeJS.ReadableStream): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let bytes = 0;
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_RESPONSE_BYTES) {
        (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(new Error(`response over ${MAX_RESPONSE_BYTES} bytes: refused`));
        return;
      }
      chunks.push(chunk);
    });
    body.on('error', reject);
    body.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
