/**
 * The stack with DynamoDB Local in memory (`dynamodbInMemory`, `npm run stack -- --dynamodb-memory`): it serves
 * tables as usual, writes no SQLite file into the data folder, and forgets its tables on stop, which is the
 * trade-off (the default stays on disk: see local-stack.int.spec.ts for what survives a restart there).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';

import { createAwsClients } from '../../runtime/aws/clients.ts';
import { createTable } from '../../runtime/aws/provision.ts';
import { DYNAMODB_JVM_FLAGS, startLocalStack } from '../../runtime/local-stack/index.ts';

const FREE_PORTS = { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 } as const;

describe('LocalStack > DynamoDB in memory', function () {
  this.timeout(90_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'prestacop-ddb-memory-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves tables, writes no file, and forgets them on stop (JIT and GC flags for a small machine)', async () => {
    const dataDir = join(dir, 'data');
    const options = { dataDir, ports: FREE_PORTS, provision: false, dynamodbInMemory: true };
    const first = await startLocalStack(options);
    let clients = createAwsClients(first.target);
    try {
      assert.equal(first.dynamodbInMemory, true);
      const java = first.pids[1]!; // start order: kinesis, dynamodb, s3, sns
      const args = readFileSync(`/proc/${java}/cmdline`, 'utf8').split('\0');
      assert.ok(args.includes('-inMemory'), args.join(' '));
      assert.ok(!args.includes('-dbPath'));
      for (const flag of DYNAMODB_JVM_FLAGS)
        assert.ok(args.includes(flag), `${flag} in ${args.join(' ')}`);
      await createTable(clients, { name: 'in-memory', hashKey: 'id', ttlAttribute: null });
      await clients.doc.send(new PutCommand({ TableName: 'in-memory', Item: { id: 'a', n: 1 } }));
      const got = await clients.doc.send(
        new GetCommand({ TableName: 'in-memory', Key: { id: 'a' } }),
      );
      assert.equal(got.Item?.n, 1);
      assert.deepEqual(readdirSync(join(dataDir, 'dynamodb')), [], 'no SQLite file on disk');
    } finally {
      clients.destroy();
      await first.stop();
    }

    const second = await startLocalStack(options);
    clients = createAwsClients(second.target);
    try {
      const tables = await clients.dynamodb.send(new ListTablesCommand({}));
      assert.deepEqual(tables.TableNames, []);
    } finally {
      clients.destroy();
      await second.stop();
    }
  });
});
