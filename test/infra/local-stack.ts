/**
 * The local AWS stack for `npm run test:infra`: the four emulators on free 127.0.0.1 ports, with nothing
 * provisioned (Terraform creates the resources), running until SIGTERM/SIGINT.
 *
 * usage: node --import tsx test/infra/local-stack.ts DATA_DIR ENDPOINTS_JSON
 *
 * Once every emulator answers, it writes ENDPOINTS_JSON (`{ region, endpoints, terraform, pids, env }`; the file
 * appears whole: written then renamed), so a shell script can start it in the background, wait for the file and
 * stop it by this process's pid. `terraform` holds the endpoints for Terraform: the same, except SNS, which goes
 * through the shim of sns-shim.ts.
 */
import { renameSync, writeFileSync } from 'node:fs';

import { type LocalStack, stackEnv, startLocalStack } from '../../runtime/local-stack/index.ts';
import { type SnsShim, startSnsShim } from './sns-shim.ts';

const [dataDir, out] = process.argv.slice(2);
if (dataDir === undefined || out === undefined) {
  process.stderr.write(
    'usage: node --import tsx test/infra/local-stack.ts DATA_DIR ENDPOINTS_JSON\n',
  );
  process.exit(64);
}
const say = (line: string): void => void process.stderr.write(`local-stack: ${line}\n`);

// Filled in as things start, so a signal at any point stops what is running.
const running: { stack?: LocalStack; shim?: SnsShim } = {};
let stopping = false;
const stop = (why: string, code: number): void => {
  if (stopping) return;
  stopping = true;
  say(`${why}: stopping`);
  Promise.all([running.shim?.close(), running.stack?.stop()]).then(
    () => process.exit(code),
    (err: unknown) => (say(`stop failed: ${String(err)}`), process.exit(1)),
  );
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => stop(signal, 0));

const stack = (running.stack = await startLocalStack({
  dataDir,
  wipe: true,
  provision: false,
  ports: { kinesis: 0, dynamodb: 0, s3: 0, sns: 0 },
  log: say,
  onChildExit: (e) => stop(`${e.label} exited (${e.signal ?? `code ${e.code}`})`, 1),
}));
const shim = (running.shim = await startSnsShim(stack.endpoints.sns));
const terraform = { ...stack.endpoints, sns: shim.url };
writeFileSync(
  `${out}.tmp`,
  JSON.stringify(
    {
      region: stack.region,
      endpoints: stack.endpoints,
      terraform,
      pids: stack.pids,
      env: stackEnv(stack),
    },
    null,
    2,
  ),
);
renameSync(`${out}.tmp`, out);
say(`up: ${JSON.stringify(stack.endpoints)}; sns for terraform ${shim.url}`);
