import assert from 'node:assert/strict';

import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecutionState,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';

import { AthenaQueryError, createAthenaRunner, queryCost } from './runner.ts';

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/**
 * A real AthenaClient whose `send` is replaced: each command is recorded and answered by `reply` (throw to fail).
 * No network, no credentials used.
 */
const stubClient = (reply: (c: Command, n: number) => unknown) => {
  const client = new AthenaClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const sent: Command[] = [];
  const send = (command: Command): Promise<unknown> => {
    sent.push(command);
    try {
      return Promise.resolve(reply(command, sent.length));
    } catch (e) {
      return Promise.reject(e);
    }
  };
  client.send = send;
  return { client, sent, names: () => sent.map((c) => c.constructor.name) };
};

const throttled = (name: string) => Object.assign(new Error('slow down'), { name });
const execution = (State: QueryExecutionState, extra: Record<string, unknown> = {}) => ({
  QueryExecution: { Status: { State, ...extra }, Statistics: { DataScannedInBytes: 3 * 2 ** 30 } },
});
const cell = (v: string | undefined) => (v === undefined ? {} : { VarCharValue: v });
const page = (rows: Array<Array<string | undefined>>, NextToken?: string) => ({
  ResultSet: {
    ResultSetMetadata: { ColumnInfo: [{ Name: 'drone_id' }, { Name: 'n' }] },
    Rows: rows.map((r) => ({ Data: r.map(cell) })),
  },
  NextToken,
});

const options = (delays: number[], extra = {}) => ({
  workgroup: 'wg',
  database: 'db',
  pricePerTb: 5,
  sleep: (ms: number, signal?: AbortSignal): Promise<void> => {
    delays.push(ms);
    return signal?.aborted ? Promise.reject(new Error('aborted')) : Promise.resolve();
  },
  random: () => 0.5,
  ...extra,
});

describe('Analysis > Athena runner', () => {
  it('starts in the workgroup, waits while queued and running (backoff), reads every page, counts bytes and cost', async () => {
    const states: QueryExecutionState[] = ['QUEUED', 'RUNNING', 'RUNNING', 'SUCCEEDED'];
    const stub = stubClient((c) => {
      if (c instanceof StartQueryExecutionCommand) return { QueryExecutionId: 'q-1' };
      if (c instanceof GetQueryExecutionCommand) return execution(states.shift()!);
      if (c instanceof GetQueryResultsCommand)
        return c.input.NextToken === undefined
          ? page(
              [
                ['drone_id', 'n'],
                ['drone-0001', '3'],
              ],
              't2',
            )
          : page([['drone-0002', undefined]]);
      throw new Error(`unexpected ${c.constructor.name}`);
    });
    const delays: number[] = [];
    const runner = createAthenaRunner(stub.client, options(delays));
    const out = await runner.run('drones', 'SELECT 1');
    assert.deepEqual(out.rows, [
      { drone_id: 'drone-0001', n: '3' },
      { drone_id: 'drone-0002', n: null },
    ]);
    assert.deepEqual(stub.sent[0]!.input, {
      QueryString: 'SELECT 1',
      WorkGroup: 'wg',
      QueryExecutionContext: { Database: 'db' },
    });
    assert.deepEqual(delays, [500, 750, 1125]); // three polls before SUCCEEDED, growing
    assert.equal(out.bytesScanned, 3 * 2 ** 30);
    assert.equal(out.cost, (3 * 2 ** 30 * 5) / 2 ** 40);
    assert.deepEqual(runner.outcomes(), [out]);
    assert.equal(stub.names().filter((n) => n === 'GetQueryResultsCommand').length, 2);
  });

  it('bills at least 10 MB a query, and nothing for DDL', async () => {
    assert.equal(queryCost(1_000, 5), (10 * 2 ** 20 * 5) / 2 ** 40);
    const stub = stubClient((c) =>
      c instanceof StartQueryExecutionCommand ? { QueryExecutionId: 'q' } : execution('SUCCEEDED'),
    );
    const out = await createAthenaRunner(stub.client, options([])).run(
      'view',
      'CREATE VIEW v AS SELECT 1',
      'ddl',
    );
    assert.equal(out.cost, 0);
    assert.ok(!stub.names().includes('GetQueryResultsCommand'));
  });

  it('reports a failed query with its reason', async () => {
    const stub = stubClient((c) =>
      c instanceof StartQueryExecutionCommand
        ? { QueryExecutionId: 'q-2' }
        : execution('FAILED', {
            StateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'x' cannot be resolved",
          }),
    );
    await assert.rejects(
      createAthenaRunner(stub.client, options([])).run('drones', 'SELECT x'),
      (e) => {
        assert.ok(e instanceof AthenaQueryError);
        assert.equal(e.kind, 'failed');
        assert.match(e.message, /drones: failed in Athena \(query q-2\): COLUMN_NOT_FOUND/);
        return true;
      },
    );
  });

  it("says clearly when the workgroup's scan limit stopped a query", async () => {
    const stub = stubClient((c) =>
      c instanceof StartQueryExecutionCommand
        ? { QueryExecutionId: 'q-3' }
        : execution('CANCELLED', {
            StateChangeReason: 'Query cancelled! Bytes scanned limit was exceeded',
          }),
    );
    await assert.rejects(
      createAthenaRunner(stub.client, options([])).run('groups', 'SELECT 1'),
      (e) => {
        assert.ok(e instanceof AthenaQueryError);
        assert.equal(e.kind, 'scan_limit');
        assert.match(
          e.message,
          /groups: stopped by the workgroup's per-query scan limit after 3\.0 GB/,
        );
        return true;
      },
    );
  });

  it('reports a query cancelled in Athena (by someone else) as cancelled', async () => {
    const stub = stubClient((c) =>
      c instanceof StartQueryExecutionCommand
        ? { QueryExecutionId: 'q-4' }
        : execution('CANCELLED', { StateChangeReason: 'Query was cancelled by user' }),
    );
    await assert.rejects(createAthenaRunner(stub.client, options([])).run('drones', 'SELECT 1'), {
      name: 'AthenaQueryError',
      kind: 'cancelled',
    });
  });

  it('stops the query in Athena when the run is aborted (Ctrl-C) while it runs', async () => {
    const abort = new AbortController();
    const stub = stubClient((c) => {
      if (c instanceof StartQueryExecutionCommand) return { QueryExecutionId: 'q-5' };
      if (c instanceof GetQueryExecutionCommand) {
        abort.abort(); // Ctrl-C while the query runs
        return execution('RUNNING');
      }
      if (c instanceof StopQueryExecutionCommand) return {};
      throw new Error(`unexpected ${c.constructor.name}`);
    });
    await assert.rejects(
      createAthenaRunner(stub.client, options([], { signal: abort.signal })).run(
        'groups',
        'SELECT 1',
      ),
      { name: 'AthenaQueryError', kind: 'cancelled' },
    );
    const stop = stub.sent.find((c) => c instanceof StopQueryExecutionCommand);
    assert.deepEqual(stop?.input, { QueryExecutionId: 'q-5' });
  });

  it('retries throttled calls with growing delays, then gives up after the policy’s retries', async () => {
    let starts = 0;
    const stub = stubClient((c) => {
      if (c instanceof StartQueryExecutionCommand) {
        if (++starts <= 2)
          throw throttled(starts === 1 ? 'ThrottlingException' : 'TooManyRequestsException');
        return { QueryExecutionId: 'q-6' };
      }
      if (c instanceof GetQueryExecutionCommand) return execution('SUCCEEDED');
      return page([['drone_id', 'n']]);
    });
    const delays: number[] = [];
    const out = await createAthenaRunner(stub.client, options(delays)).run('drones', 'SELECT 1');
    assert.equal(out.queryExecutionId, 'q-6');
    assert.deepEqual(delays, [300, 600]);

    const always = stubClient(() => {
      throw throttled('ThrottlingException');
    });
    const policy = { initialMs: 10, factor: 2, jitter: 0, maxMs: 100, retries: 3 };
    await assert.rejects(
      createAthenaRunner(always.client, options([], { throttle: policy })).run(
        'drones',
        'SELECT 1',
      ),
      { name: 'ThrottlingException' },
    );
    assert.equal(always.sent.length, 4);
  });
});
