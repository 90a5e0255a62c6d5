import assert from 'node:assert/strict';
import net from 'node:net';

import { resolvePorts } from './ports.ts';

describe('LocalStack > ports', () => {
  it('draws distinct free ports for 0', async () => {
    const ports = await resolvePorts({ kinesis: 0, dynamodb: 0, s3: 0, sns: 0 });
    assert.equal(new Set(Object.values(ports)).size, 4);
  });

  it('refuses a taken port, naming the flag, the env variable and --stop', async () => {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const taken = (server.address() as net.AddressInfo).port;
    try {
      await assert.rejects(
        resolvePorts({ kinesis: 0, dynamodb: taken, s3: 0, sns: 0 }),
        (err: Error) => {
          assert.match(err.message, new RegExp(`port ${taken} \\(dynamodb\\) is already in use`));
          assert.match(err.message, /npm run stack -- --stop/);
          assert.match(err.message, /--dynamodb-port N or PRESTACOP_STACK_DYNAMODB_PORT=N/);
          return true;
        },
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses repeated and impossible ports', async () => {
    await assert.rejects(resolvePorts({ kinesis: 5000, dynamodb: 5000 }), /ports repeat/);
    await assert.rejects(resolvePorts({ s3: 70000 }), /s3 port 70000 is not a port number/);
  });
});
