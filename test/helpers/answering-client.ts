/**
 * An SDK client whose request handler answers with given responses in turn (status, body), recording each request
 * (its headers, its body as text, its abort signal): for the wire's own specs (runtime/aws/*-wire.spec.ts).
 */
import { Readable } from 'node:stream';

/** A request as the handler saw it. */
export interface AnsweredCall {
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly signal?: AbortSignal;
}

/**
 * @example const { client, calls } = clientAnswering(KinesisClient, [[200, '{"Records":[]}']]);
 */
export const clientAnswering = <C>(
  Client: new (config: never) => C,
  responses: ReadonlyArray<readonly [number, string]>,
): { readonly client: C; readonly calls: AnsweredCall[] } => {
  const calls: AnsweredCall[] = [];
  const client = new Client({
    region: 'eu-west-1',
    endpoint: 'http://127.0.0.1:1',
    credentials: { accessKeyId: 'k', secretAccessKey: 's' },
    maxAttempts: 3,
    requestHandler: {
      handle: (
        request: { headers: Record<string, string>; body: string | Uint8Array },
        options?: { abortSignal?: AbortSignal },
      ) => {
        calls.push({
          headers: request.headers,
          body: Buffer.from(request.body).toString('utf8'),
          ...(options?.abortSignal ? { signal: options.abortSignal } : {}),
        });
        const [statusCode, body] = responses[Math.min(calls.length, responses.length) - 1]!;
        return Promise.resolve({
          response: { statusCode, headers: {}, body: Readable.from([Buffer.from(body)]) },
        });
      },
    },
  } as never);
  return { client, calls };
};
