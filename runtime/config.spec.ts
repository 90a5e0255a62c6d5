import assert from 'node:assert/strict';

import { E, NonEmptyString, oneOf, PositiveInt, Probability, t } from './codec.ts';
import { type CommandSpec, helpText, loadConfig } from './config.ts';

const Cfg = t.type({
  target: oneOf('Target', ['local', 'aws']),
  drones: PositiveInt,
  alarmRate: Probability,
  stream: NonEmptyString,
});
const spec: CommandSpec<t.TypeOf<typeof Cfg>> = {
  name: 'demo',
  summary: 'a demo service',
  codec: Cfg,
  options: {
    target: { type: 'string', doc: 'where AWS is', env: 'PRESTACOP_TARGET', default: 'local' },
    drones: { type: 'string', doc: 'how many drones', env: 'DRONES', default: '20' },
    'alarm-rate': { type: 'string', doc: 'share of messages that alarm', default: '0.01' },
    stream: { type: 'string', doc: 'stream name', env: 'STREAM', default: 'prestacop-drones' },
  },
};

describe('Config > loadConfig', () => {
  it('layers defaults < env < flags', () => {
    const r = loadConfig(spec, ['--drones', '5'], { DRONES: '7', STREAM: 'env-stream' });
    assert.deepEqual(
      r,
      E.right({ target: 'local', drones: 5, alarmRate: 0.01, stream: 'env-stream' }),
    );
  });

  it('reports every bad value, naming the flag and the env variable', () => {
    const r = loadConfig(spec, ['--drones=-1', '--alarm-rate', '2'], { PRESTACOP_TARGET: 'azure' });
    assert.ok(E.isLeft(r) && r.left._tag === 'ConfigError');
    const text = r.left.issues.join('\n');
    assert.match(text, /drones.*integer > 0.*--drones, env DRONES/);
    assert.match(text, /alarmRate.*0 to 1.*--alarm-rate/);
    assert.match(text, /target.*one of local, aws.*"azure".*env PRESTACOP_TARGET/);
  });

  it('names the flag of a codec assembled from intersections and unions', () => {
    const Composed = t.intersection([
      t.type({ target: oneOf('Target', ['local', 'aws']) }),
      t.union([t.type({ drones: PositiveInt }), t.type({ drones: t.literal('all') })]),
      t.partial({ alarmRate: Probability, stream: NonEmptyString }),
    ]);
    const r = loadConfig({ ...spec, codec: Composed } as CommandSpec<unknown>, ['--drones=x'], {});
    assert.ok(E.isLeft(r) && r.left._tag === 'ConfigError');
    assert.ok(r.left.issues.length > 0);
    for (const issue of r.left.issues) assert.match(issue, /^at \.drones: .*--drones, env DRONES/);
  });

  it('rejects an unknown flag with a clear message', () => {
    const r = loadConfig(spec, ['--dornes', '3'], {});
    assert.ok(E.isLeft(r) && r.left._tag === 'ConfigError');
    assert.match(r.left.issues[0]!, /--dornes/);
  });

  it('answers --help with text generated from the options', () => {
    const r = loadConfig(spec, ['--help'], {});
    assert.ok(E.isLeft(r) && r.left._tag === 'HelpRequested');
    assert.equal(r.left.text, helpText(spec as CommandSpec<unknown>));
    assert.match(
      r.left.text,
      /--alarm-rate VALUE\s+share of messages that alarm \(default "0.01"\)/,
    );
  });

  it('never lets stray AWS variables change anything it did not declare', () => {
    const r = loadConfig(spec, [], { AWS_REGION: 'eu-west-3', AWS_ENDPOINT_URL: 'http://x' });
    assert.ok(E.isRight(r) && r.right.target === 'local');
  });
});
