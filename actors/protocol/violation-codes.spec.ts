import assert from 'node:assert/strict';

import { E } from '../../runtime/codec.ts';
import { EXAMPLE_DRONE_MESSAGE } from '../../test/helpers/messages.ts';
import type { DroneMessage } from './drone-message.ts';
import { DroneMessage as DroneMessageCodec } from './drone-message.ts';
import { decoded } from './spec-helpers.ts';
import {
  DEFAULT_HUMAN_CODES,
  fineFor,
  loadViolationCodes,
  needsHuman,
  parseViolationCodes,
  type ViolationCodeTable,
} from './violation-codes.ts';

const HEADER = 'CODE,DEFINITION,MANHATTAN_96_AND_BELOW,ALL_OTHER_AREAS';

const table = (): ViolationCodeTable => {
  const loaded = loadViolationCodes();
  if (E.isLeft(loaded)) assert.fail(loaded.left.issues.join('\n'));
  return loaded.right;
};

const message = (code?: number): DroneMessage =>
  decoded(DroneMessageCodec, {
    ...EXAMPLE_DRONE_MESSAGE,
    ...(code === undefined ? {} : { violationCode: code, violationImageId: 'img' }),
  });

describe('Protocol > violation codes', () => {
  it('loads the 86 codes of config/violation-codes.csv with numeric fines', () => {
    const { entries } = table();
    // SOURCES.md says 97; the cleaned file has 86 rows (4-14, 16-28, 31-53, 55-75, 77-86, 89, 91-94, 96-99).
    assert.equal(entries.length, 86);
    assert.equal(new Set(entries.map((e) => e.code)).size, 86);
    for (const e of entries) {
      assert.ok(
        Number.isInteger(e.fineManhattan96AndBelow) && e.fineManhattan96AndBelow >= 0,
        String(e.code),
      );
      assert.ok(Number.isInteger(e.fineOtherAreas) && e.fineOtherAreas >= 0, String(e.code));
      assert.equal(e.definition, e.definition.trim());
    }
  });

  it('looks codes up', () => {
    const t = table();
    assert.match(t.get(40)?.definition ?? '', /fire hydrant/);
    assert.equal(fineFor(t, 21, 'manhattan96AndBelow'), 65);
    assert.equal(fineFor(t, 21, 'otherAreas'), 45);
    assert.equal(t.get(95), undefined);
    assert.equal(fineFor(t, 95, 'otherAreas'), undefined);
  });

  it('every default human code is in the table', () => {
    const t = table();
    assert.ok(DEFAULT_HUMAN_CODES.length > 0);
    for (const code of DEFAULT_HUMAN_CODES)
      assert.ok(t.get(code), `code ${code} is not in the table`);
    assert.equal(new Set(DEFAULT_HUMAN_CODES).size, DEFAULT_HUMAN_CODES.length);
  });

  it('needsHuman holds for violations with a listed code only', () => {
    assert.ok(needsHuman(DEFAULT_HUMAN_CODES, message(40)));
    assert.ok(needsHuman(new Set([21]), message(21)));
    assert.ok(!needsHuman(DEFAULT_HUMAN_CODES, message(21)));
    assert.ok(!needsHuman(DEFAULT_HUMAN_CODES, message()));
  });

  it('reports bad cells, duplicates and unreadable files as ConfigErrors', () => {
    const bad = parseViolationCodes(`${HEADER}\n40,"Hydrant",115,115\n0,"Zero",$65,65\n`);
    assert.ok(E.isLeft(bad));
    assert.ok(
      bad.left.issues.some((i) => i.includes('at .1.CODE') && i.includes('ViolationCode')),
      bad.left.issues.join('\n'),
    );
    assert.ok(
      bad.left.issues.some((i) => i.includes('at .1.MANHATTAN_96_AND_BELOW')),
      bad.left.issues.join('\n'),
    );
    const dup = parseViolationCodes(`${HEADER}\n40,"a",1,1\n40,"b",2,2\n`);
    assert.ok(E.isLeft(dup) && dup.left.issues[0]!.includes('duplicated code(s) 40'));
    const missing = loadViolationCodes('/nonexistent/violation-codes.csv');
    assert.ok(E.isLeft(missing) && missing.left._tag === 'ConfigError');
    assert.ok(E.isLeft(parseViolationCodes('CODE,DEFINITION\n"unclosed')));
  });
});
