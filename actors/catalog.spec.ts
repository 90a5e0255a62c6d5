import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import { CATALOG, servicesJson } from './catalog.ts';

const committed = (): unknown =>
  JSON.parse(readFileSync(new URL('../config/services.json', import.meta.url), 'utf8'));

describe('Catalog > config/services.json', () => {
  it('is what the declarations give (run npm run gen:services after changing one)', () => {
    assert.deepEqual(committed(), JSON.parse(servicesJson()));
  });

  it('holds every declared actor with a deploy declaration, its env from the options declared with deploy', () => {
    const services = (JSON.parse(servicesJson()) as { services: Record<string, { env: object }> })
      .services;
    assert.deepEqual(Object.keys(services).sort(), CATALOG.map((e) => e.actor.name).sort());
    assert.deepEqual(services['drone-watchdog']?.env, {
      PRESTACOP_DRONE_STREAM: 'streams.drones.name',
      PRESTACOP_ALARM_TOPIC: 'topics.alarms.arn',
      PRESTACOP_LEASE_TABLE: 'tables.leases.name',
      PRESTACOP_BUCKET: 'bucket.name',
    });
  });

  it('keeps literal env values apart from references, which Terraform resolves', () => {
    const console = (
      JSON.parse(servicesJson()) as {
        services: Record<string, { env: object; literal_env: object; host: string | null }>;
      }
    ).services['operator-console'];
    // The topic by ARN, the queue by URL: no sns:ListTopics or sqs:GetQueueUrl to allow.
    assert.deepEqual(console?.env, {
      PRESTACOP_ALARMS_TABLE: 'tables.alarms.name',
      PRESTACOP_ALARM_EVENTS_TABLE: 'tables.alarmEvents.name',
      PRESTACOP_ALARM_TOPIC: 'topics.alarms.arn',
      PRESTACOP_OPERATOR_CONSOLE_QUEUE: 'queues.operatorConsole.url',
      PRESTACOP_BUCKET: 'bucket.name',
    });
    assert.deepEqual(console?.literal_env, {
      PRESTACOP_CONSOLE_HOST: '127.0.0.1',
      PRESTACOP_CONSOLE_PORT: '8090',
    });
    assert.equal(console?.host, 'alert-system');
  });

  it("passes a statement's IAM condition as declared (the console lists needs-human/ only)", () => {
    const console = (
      JSON.parse(servicesJson()) as {
        services: Record<
          string,
          { statements: ReadonlyArray<{ Sid: string; Condition?: object }> }
        >;
      }
    ).services['operator-console'];
    assert.deepEqual(
      console?.statements.filter((st) => st.Condition !== undefined),
      [
        {
          Sid: 'NeedsHumanNotes',
          Action: ['s3:ListBucket'],
          Resource: ['bucket.arn'],
          Condition: { StringLike: { 's3:prefix': ['needs-human/*'] } },
        },
      ],
    );
  });
});
