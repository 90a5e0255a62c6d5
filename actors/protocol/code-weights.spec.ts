import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

import fc from 'fast-check';

import { E } from '../../runtime/codec.ts';
import {
  deriveCodeWeights,
  renderCodeWeights,
  SAMPLE_FILES,
  WEIGHTS_FILE,
} from '../../scripts/derive-code-weights.ts';
import { type CodeWeights, drawCode, loadCodeWeights, parseCodeWeights } from './code-weights.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), 'utf8');

const shipped = (): CodeWeights => {
  const loaded = loadCodeWeights();
  if (E.isLeft(loaded)) assert.fail(loaded.left.issues.join('\n'));
  return loaded.right;
};

describe('Protocol > code weights', () => {
  it('the shipped file is what the script derives from the NYPD samples', () => {
    const derived = deriveCodeWeights(Object.fromEntries(SAMPLE_FILES.map((f) => [f, read(f)])));
    assert.equal(read(WEIGHTS_FILE), renderCodeWeights(derived));
    assert.equal(derived.total, 4999 + 2099);
  });

  it('loads, with 21 (street cleaning) the most frequent code', () => {
    const w = shipped();
    assert.equal(w.total, 7098);
    const top = [...w.entries].sort((a, b) => b.count - a.count)[0];
    assert.equal(top?.code, 21);
  });

  it('drawCode reproduces the counts exactly over a uniform grid', () => {
    const w = shipped();
    const drawn = new Map<number, number>();
    for (let i = 0; i < w.total; i += 1) {
      const code = drawCode(w, (i + 0.5) / w.total);
      drawn.set(code, (drawn.get(code) ?? 0) + 1);
    }
    assert.deepStrictEqual(drawn, new Map(w.entries.map((e) => [e.code, e.count])));
  });

  it('drawCode always returns a listed code, whatever u', () => {
    const w = shipped();
    const codes = new Set(w.entries.map((e) => e.code));
    fc.assert(
      fc.property(fc.double(), (u) => {
        assert.ok(codes.has(drawCode(w, u)));
      }),
    );
  });

  it('derives from whole-line-quoted rows and skips rows without a valid code', () => {
    const csv = 'Summons Number,Violation Code \r\n1,21\r\n"2,40"\r\n3,0\r\n4,\r\n5,100\r\n';
    const json = deriveCodeWeights({ 'x.csv': `\uFEFF${csv}` });
    assert.deepStrictEqual(json.counts, { '21': 1, '40': 1 });
    assert.equal(json.skipped, 3);
    assert.deepStrictEqual(json.sources, { 'x.csv': 5 });
  });

  it('rejects weights that are not codes or do not add up', () => {
    const base = { description: '', sources: {}, skipped: 0 };
    assert.ok(E.isLeft(parseCodeWeights({ ...base, total: 1, counts: { '0': 1 } })));
    assert.ok(E.isLeft(parseCodeWeights({ ...base, total: 3, counts: { '21': 1 } })));
    assert.ok(E.isLeft(parseCodeWeights({ ...base, total: 1, counts: { '21': 0 } })));
    assert.ok(E.isRight(parseCodeWeights({ ...base, total: 3, counts: { '21': 2, '40': 1 } })));
    assert.ok(E.isLeft(loadCodeWeights('/nonexistent.json')));
  });
});
