/**
 * Port choice for the stack: fixed defaults for a developer's stack (so services find it without config), 0 for
 * "any free port" (tests, parallel stacks), and a clear refusal when a fixed port is taken.
 */
import net from 'node:net';

/** The emulator services, by the port each needs (`sns` is fauxqs, which also serves SQS). */
export type StackService = 'kinesis' | 'dynamodb' | 's3' | 'sns';

/** Ports of a developer's stack. */
export const DEFAULT_PORTS: Readonly<Record<StackService, number>> = {
  kinesis: 4567,
  dynamodb: 8000,
  s3: 4570,
  sns: 4571,
};

/** The CLI flag and env variable that set each port, for error messages and `--help`. */
export const PORT_SETTINGS: Readonly<Record<StackService, { flag: string; env: string }>> = {
  kinesis: { flag: '--kinesis-port', env: 'PRESTACOP_STACK_KINESIS_PORT' },
  dynamodb: { flag: '--dynamodb-port', env: 'PRESTACOP_STACK_DYNAMODB_PORT' },
  s3: { flag: '--s3-port', env: 'PRESTACOP_STACK_S3_PORT' },
  sns: { flag: '--sns-port', env: 'PRESTACOP_STACK_SNS_PORT' },
};

const SERVICES = Object.keys(DEFAULT_PORTS) as StackService[];

/**
 * Resolves requested ports (missing = default, 0 = free port) to concrete ports on 127.0.0.1. Rejects with one
 * message naming every taken or invalid port and what to do about it.
 * @example await resolvePorts({ kinesis: 0 }) // { kinesis: 41233, dynamodb: 8000, s3: 4570, sns: 4571 }
 */
export const resolvePorts = async (
  requested: Partial<Record<StackService, number>>,
): Promise<Record<StackService, number>> => {
  const wanted = SERVICES.map((s) => [s, requested[s] ?? DEFAULT_PORTS[s]] as const);
  const problems: string[] = [];
  for (const [s, port] of wanted) {
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      problems.push(`${s} port ${port} is not a port number (0-65535)`);
  }
  const fixed = wanted.filter(([, p]) => p !== 0).map(([, p]) => p);
  if (new Set(fixed).size !== fixed.length) problems.push(`ports repeat: ${fixed.join(', ')}`);
  if (problems.length) throw new Error(`local stack: ${problems.join('; ')}`);

  // Hold every probe socket until all are chosen, so two services never draw the same free port.
  const held: net.Server[] = [];
  const result = {} as Record<StackService, number>;
  try {
    for (const [s, port] of wanted) {
      const server = await listenOn(port).catch((err: NodeJS.ErrnoException) => {
        const { flag, env } = PORT_SETTINGS[s];
        problems.push(
          err.code === 'EADDRINUSE'
            ? `port ${port} (${s}) is already in use on 127.0.0.1; is a stack already running? ` +
                `Stop it with \`npm run stack -- --stop\`, or choose another port (${flag} N or ${env}=N; ` +
                '0 picks a free one)'
            : `cannot listen on 127.0.0.1:${port} (${s}): ${err.message}`,
        );
        return undefined;
      });
      if (server === undefined) continue;
      held.push(server);
      result[s] = (server.address() as net.AddressInfo).port;
    }
  } finally {
    await Promise.all(held.map((server) => new Promise((r) => server.close(r))));
  }
  if (problems.length) throw new Error(`local stack: ${problems.join('\n  ')}`);
  return result;
};

const listenOn = (port: number): Promise<net.Server> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => resolve(server));
  });
