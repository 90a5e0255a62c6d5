/**
 * The bus contract on the Kinesis adapter, against kinesalite and DynamoDB Local: once with one message per record,
 * once with packing and gzip (every delivery then comes out of a packed record). Each `open()` is a new process (a
 * new worker id on the same stack); short lease and poll timings keep the suite quick.
 */
import { createStream, deleteStream } from '../../runtime/aws/provision.ts';
import { busContract, type ContractHarness } from '../../runtime/bus/bus.contract.ts';
import { createKinesisBus, type ProducerOptions } from '../../runtime/bus/kinesis.ts';
import { uniqueName, useStack } from '../helpers/stack.ts';

const harness =
  (producer: ProducerOptions = {}) =>
  async (): Promise<ContractHarness> => {
    const stack = await useStack();
    const streams: string[] = [];
    return {
      open: () =>
        Promise.resolve(
          createKinesisBus({
            clients: stack.clients,
            leaseTable: 'prestacop-leases',
            workerId: uniqueName('worker'),
            target: 'local',
            producer,
            consumer: { leaseTimeoutMs: 3_000, checkpointIntervalMs: 50, idlePollMaxMs: 50 },
          }),
        ),
      newStream: async (shards) => {
        const name = uniqueName('contract');
        await createStream(stack.clients, name, shards);
        streams.push(name);
        return name;
      },
      teardown: async () => {
        await Promise.all(streams.map((s) => deleteStream(stack.clients, s)));
      },
      patienceMs: 10_000,
      quietMs: 500,
    };
  };

busContract('kinesis', harness());
busContract(
  'kinesis, packed and gzipped',
  harness({ packing: { compression: { codec: 'gzip', level: 6 } }, lingerMs: 20 }),
);
