/**
 * A service for the signal tests (runtime/service.spec.ts): `runService` around a service whose stop takes
 * `stopMs`, so a test can signal it while it drains. Touches no AWS endpoint (the clients are only created).
 *
 * Usage: node --import tsx test/helpers/service-child.ts <stopMs>
 */
import { runService } from '../../runtime/service.ts';

const stopMs = Number(process.argv[2] ?? '1000');
const endpoint = 'http://127.0.0.1:9';

await runService(
  'service-child',
  {
    target: 'local',
    region: 'us-east-1',
    kinesisEndpoint: endpoint,
    dynamodbEndpoint: endpoint,
    s3Endpoint: endpoint,
    snsEndpoint: endpoint,
    opsHost: '127.0.0.1',
    opsPort: 0,
    logLevel: 'info',
  },
  () => ({
    healthy: () => true,
    stop: () => new Promise((resolve) => setTimeout(resolve, stopMs)),
  }),
);
