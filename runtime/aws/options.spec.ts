import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

import { E } from '../codec.ts';
import { type CommandSpec, loadConfig } from '../config.ts';
import { AwsOptions, awsOptionSpecs, toAwsTarget } from './options.ts';

const spec: CommandSpec<AwsOptions> = {
  name: 'demo',
  summary: 'the shared AWS options',
  options: awsOptionSpecs,
  codec: AwsOptions,
};
const load = (argv: string[], env: Record<string, string>) => loadConfig(spec, argv, env);
const right = (r: ReturnType<typeof load>): AwsOptions => {
  assert.ok(E.isRight(r), JSON.stringify(r));
  return r.right;
};

describe('AwsOptions > the standard AWS variables', () => {
  it('region: --region > PRESTACOP_REGION > AWS_REGION > AWS_DEFAULT_REGION > us-east-1', () => {
    const all = {
      PRESTACOP_REGION: 'eu-west-1',
      AWS_REGION: 'eu-west-2',
      AWS_DEFAULT_REGION: 'eu-west-3',
    };
    assert.equal(right(load(['--region', 'ap-south-1'], all)).region, 'ap-south-1');
    assert.equal(right(load([], all)).region, 'eu-west-1');
    const { PRESTACOP_REGION: _p, ...aws } = all;
    assert.equal(right(load(['--target', 'aws'], aws)).region, 'eu-west-2');
    assert.equal(right(load([], { AWS_DEFAULT_REGION: 'eu-west-3' })).region, 'eu-west-3');
    assert.equal(right(load([], {})).region, 'us-east-1');
    assert.equal(toAwsTarget(right(load(['--target', 'aws'], aws))).region, 'eu-west-2');
  });

  it('local endpoints: flag > PRESTACOP_* > AWS_ENDPOINT_URL_<SERVICE> > AWS_ENDPOINT_URL', () => {
    const o = right(
      load(['--s3-endpoint', 'http://127.0.0.1:9'], {
        PRESTACOP_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:7',
        AWS_ENDPOINT_URL_KINESIS: 'http://localhost:6',
        AWS_ENDPOINT_URL_S3: 'http://127.0.0.1:5',
        AWS_ENDPOINT_URL: 'http://[::1]:4',
      }),
    );
    assert.deepEqual(
      [o.s3Endpoint, o.dynamodbEndpoint, o.kinesisEndpoint, o.snsEndpoint],
      ['http://127.0.0.1:9', 'http://127.0.0.1:8', 'http://localhost:6', 'http://[::1]:4'],
    );
  });

  it('the local target refuses an endpoint that is not loopback, naming the flag and variables', () => {
    const r = load([], {
      AWS_ENDPOINT_URL: 'https://kinesis.us-east-1.amazonaws.com',
      AWS_ENDPOINT_URL_S3: 'http://127.0.0.1.example.com:4569',
      AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
      AWS_ENDPOINT_URL_SNS: 'http://127.0.0.1:4575',
    });
    assert.ok(E.isLeft(r) && r.left._tag === 'ConfigError', JSON.stringify(r));
    const text = r.left.issues.join('\n');
    assert.equal(r.left.issues.length, 2, text);
    assert.match(text, /kinesisEndpoint: the local target reaches loopback emulators only/);
    assert.match(
      text,
      /flag --kinesis-endpoint, env PRESTACOP_KINESIS_ENDPOINT > AWS_ENDPOINT_URL_KINESIS > AWS_ENDPOINT_URL/,
    );
    assert.match(text, /s3Endpoint: .*127\.0\.0\.1\.example\.com:4569 is not loopback/);
    // A flag is held to the same rule.
    assert.ok(E.isLeft(load(['--sns-endpoint', 'http://10.0.0.5:4575'], {})));
  });

  it('the aws target leaves AWS_ENDPOINT_URL to the SDK', () => {
    const o = right(load(['--target', 'aws'], { AWS_ENDPOINT_URL: 'https://vpce.example.com' }));
    assert.deepEqual(toAwsTarget(o), { kind: 'aws', region: 'us-east-1' });
  });

  it('a service started on the local target with a stray AWS_ENDPOINT_URL exits 78 before it connects', function () {
    this.timeout(60_000);
    const res = spawnSync(
      process.execPath,
      ['--import', 'tsx', 'actors/alert-system/main.ts', '--ops-port', '0'],
      {
        encoding: 'utf8',
        timeout: 50_000,
        env: { ...process.env, AWS_ENDPOINT_URL: 'https://example.invalid', PRESTACOP_TARGET: '' },
      },
    );
    assert.equal(res.status, 78, res.stderr);
    assert.match(res.stderr, /example\.invalid is not loopback/);
  });
});
