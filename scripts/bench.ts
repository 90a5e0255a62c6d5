/**
 * `npm run bench -- <name>`: benchmarks on a local stack of their own (free ports, a temporary data folder).
 *
 *   bus   records/s into and out of a kinesalite stream through the Kinesis bus, plain and packed, against the
 *         emulator's raw PutRecords and GetRecords rates measured in the same run
 */
import { parseArgs } from 'node:util';

import { benchBus } from './bench-bus.ts';

const EX_USAGE = 64;
const BENCHES: Record<string, (args: ReadonlyArray<string>) => Promise<void>> = { bus: benchBus };

const usage = [
  'usage: npm run bench -- <name> [options]',
  '',
  'benchmarks:',
  '  bus [--messages N]   Kinesis bus throughput vs raw kinesalite (default 100,000 messages per run)',
].join('\n');

const main = async (): Promise<void> => {
  const { positionals } = parseArgs({
    args: process.argv.slice(2),
    strict: false,
    allowPositionals: true,
  });
  const [name] = positionals;
  const bench = name === undefined ? undefined : BENCHES[name];
  if (!bench) {
    console.error(usage);
    process.exit(EX_USAGE);
  }
  await bench(process.argv.slice(3));
};

await main();
