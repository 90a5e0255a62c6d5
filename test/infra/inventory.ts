/**
 * The Ansible inventory of the local deploy test, in the shape Terraform's `ansible_inventory` output has on AWS
 * (same variables, same per-service environment from the Terraform outputs), plus what three local "hosts" need:
 * sshd ports on 127.0.0.1, an install root each, free ops ports, a free port for the operator console's page, and
 * test mode (no systemd here).
 *
 * usage: node --import tsx test/infra/inventory.ts TF_OUTPUT_JSON STACK_JSON HOSTS_JSON > inventory.json
 *   TF_OUTPUT_JSON  `terraform output -json` of terraform/local (its services output), or - before the apply
 *                   (enough for stage.yml, which needs the hosts only)
 *   STACK_JSON      what test/infra/local-stack.ts wrote (the services' endpoint environment)
 *   HOSTS_JSON      { key, user, hosts: [{ name, port, root, services }] }: the sshd instances, and the private
 *                   key and user to log in with (each host installs Node.js from the npm registry: the node role)
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

interface LocalHost {
  readonly name: string;
  readonly port: number;
  readonly root: string;
  readonly services: ReadonlyArray<string>;
}
interface Hosts {
  readonly key: string;
  readonly user: string;
  readonly hosts: ReadonlyArray<LocalHost>;
}
/** The outputs of modules/services that the inventory takes, as terraform/local's `services` output holds them. */
interface Services {
  readonly env: Record<string, Record<string, string>>;
  readonly ops_ports: Record<string, number>;
  readonly stream_readers: ReadonlyArray<string>;
}
interface TfOutput {
  readonly services: { readonly value: Services };
}
interface Stack {
  readonly env: Record<string, string>;
}

const read = <A>(path: string): A => JSON.parse(readFileSync(path, 'utf8')) as A;

/** A port free on 127.0.0.1 right now. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const [tfPath, stackPath, hostsPath] = process.argv.slice(2);
if (tfPath === undefined || stackPath === undefined || hostsPath === undefined) {
  process.stderr.write('usage: inventory.ts TF_OUTPUT_JSON STACK_JSON HOSTS_JSON\n');
  process.exit(64);
}
const services: Services =
  tfPath === '-'
    ? { env: {}, ops_ports: {}, stream_readers: [] }
    : read<TfOutput>(tfPath).services.value;
const stack = read<Stack>(stackPath);
const spec = read<Hosts>(hostsPath);

const hosts: Record<string, unknown> = {};
for (const h of spec.hosts) {
  const ports: Record<string, number> = {};
  for (const svc of Object.keys(services.ops_ports)) ports[svc] = await freePort();
  hosts[h.name] = {
    ansible_host: '127.0.0.1',
    ansible_port: h.port,
    prestacop_root: `${h.root}/opt/prestacop`,
    prestacop_log_dir: `${h.root}/var/log/prestacop`,
    prestacop_ops_ports: ports,
    prestacop_services: h.services,
  };
}

const inventory = {
  all: {
    vars: {
      prestacop_common_env: stack.env,
      prestacop_service_env: services.env,
      prestacop_ops_ports: services.ops_ports,
      prestacop_stream_readers: services.stream_readers,
      prestacop_test_mode: true,
      prestacop_create_user: false,
      prestacop_user: spec.user,
      // 10 drones, one message a second each: traffic to follow, light enough for 2 cores.
      // The console's page on a free port rather than 8090 (one console runs: host 3's).
      prestacop_extra_env: {
        'drone-simulator': { PRESTACOP_DRONES: '10', PRESTACOP_INTERVAL_MS: '1000' },
        'operator-console': { PRESTACOP_CONSOLE_PORT: String(await freePort()) },
      },
      ansible_user: spec.user,
      ansible_become: false,
      ansible_python_interpreter: '/usr/bin/python3',
      ansible_ssh_private_key_file: spec.key,
      ansible_ssh_common_args: '-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null',
    },
    children: { prestacop: { hosts } },
  },
};
process.stdout.write(`${JSON.stringify(inventory, null, 2)}\n`);
