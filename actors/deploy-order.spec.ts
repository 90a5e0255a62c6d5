/**
 * The order of a rolling redeploy (ansible/redeploy.yml), read from the playbook itself: the hosts of every service
 * that reads a stream are activated before the others, since a reader older than the release refuses what it does
 * not know (an unknown packing flag, e.g. zstd, is a corrupt record: runtime/bus/kinesis-packing.ts). The readers
 * are the actors whose service subscribes to the bus; the playbook lists none: Terraform derives them from the
 * services' IAM statements (those allowed kinesis:GetRecords, terraform/modules/services `stream_readers`) into the
 * inventory, and the declared actors' statements are config/services.json, generated from actors/catalog.ts.
 * (`npm run test:infra` runs the playbook on three hosts and checks the order it actually took.)
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const REPO = join(import.meta.dirname, '..');
const playbook = readFileSync(join(REPO, 'ansible', 'redeploy.yml'), 'utf8');
const servicesTf = readFileSync(join(REPO, 'terraform', 'modules', 'services', 'main.tf'), 'utf8');
const declared = (
  JSON.parse(readFileSync(join(REPO, 'config', 'services.json'), 'utf8')) as {
    services: Record<string, { statements: ReadonlyArray<{ Action: ReadonlyArray<string> }> }>;
  }
).services;

/** The plays, in order: each top-level `- name:` item with its `hosts:` and its other top-level keys. */
const plays = playbook
  .split(/^- /m)
  .slice(1)
  .map((text) => ({
    name: /^name: (.*)$/m.exec(text)?.[1] ?? '',
    hosts: /^ {2}hosts: (.*)$/m.exec(text)?.[1],
    text,
  }));

/** The actors whose service subscribes to a stream of the bus. */
const streamReaders = (): string[] =>
  readdirSync(join(REPO, 'actors'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(REPO, 'actors', d.name, 'service.ts')))
    .filter((d) =>
      /\bbus\s*\.subscribe\(/.test(
        readFileSync(join(REPO, 'actors', d.name, 'service.ts'), 'utf8'),
      ),
    )
    .map((d) => d.name)
    .sort();

describe('Deploy > redeploy order', () => {
  it('activates the hosts of the stream readers before the producers, one host at a time', () => {
    const activations = plays.filter((p) => p.text.includes('tasks_from: activate'));
    assert.deepEqual(
      activations.map((p) => p.hosts),
      ['prestacop_readers', 'prestacop_writers'],
    );
    for (const p of activations) {
      assert.match(p.text, /^ {2}serial: 1$/m, p.name);
      // A reader host that fails stops the run: no producer gets the new release before every reader.
      assert.match(p.text, /^ {2}max_fail_percentage: 0$/m, p.name);
      assert.match(p.text, /name: services/, p.name);
    }
    const grouping = plays.findIndex((p) => p.text.includes('ansible.builtin.group_by'));
    const staging = plays.findIndex((p) => p.text.includes('import_playbook: stage.yml'));
    assert.ok(staging === 0 && grouping > staging, 'staged, then grouped');
    assert.ok(grouping < plays.indexOf(activations[0]!), 'grouped before any activation');
    assert.match(
      plays[grouping]!.text,
      /'prestacop_readers' if \(prestacop_services \| intersect\(prestacop_stream_readers\) \| length > 0\) else 'prestacop_writers'/,
    );
  });

  it('counts every actor that subscribes to a stream as a reader, as Terraform derives them', () => {
    // Terraform's rule (modules/services output stream_readers): a service allowed kinesis:GetRecords.
    const allowedToRead = Object.entries(declared)
      .filter(([, s]) => s.statements.some((st) => st.Action.includes('kinesis:GetRecords')))
      .map(([name]) => name)
      .sort();
    assert.ok(streamReaders().length > 0, 'some actor subscribes to a stream');
    assert.deepEqual(allowedToRead, streamReaders());
    // Terraform writes no service by hand: every one is declared, so none escapes this rule.
    assert.doesNotMatch(servicesTf, /kinesis:|ops_port\s*=\s*\d/);
  });

  it('takes the readers from the inventory, failing without them (no list of its own)', () => {
    assert.doesNotMatch(playbook, /^ +prestacop_stream_readers:/m);
    assert.match(playbook, /- prestacop_stream_readers is defined/);
  });

  it('says why in the playbook', () => {
    assert.match(playbook, /unknown flag as corrupt/);
  });
});
