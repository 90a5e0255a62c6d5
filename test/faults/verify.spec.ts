import assert from 'node:assert/strict';

import { cardsPerAlarm, expectedNeedsHuman, needsHumanMismatch } from './verify.ts';

describe('Faults > verify > shown once', () => {
  it('counts every card, so an alarm listed twice is shown twice', () => {
    const seen = cardsPerAlarm([{ id: 'a' }, { id: 'b' }, { id: 'a' }], new Set());
    assert.equal(seen.get('a'), 2);
    assert.equal(seen.get('b'), 1);
  });

  it('counts an unexpected conflict card as its alarm shown again; an expected one as itself', () => {
    const cards = [{ id: 'd:1' }, { id: 'd:1#0badc0de', conflictOf: 'd:1' }];
    assert.deepEqual([...cardsPerAlarm(cards, new Set())], [['d:1', 2]]);
    assert.deepEqual(
      [...cardsPerAlarm(cards, new Set(['d:1#0badc0de']))],
      [
        ['d:1', 1],
        ['d:1#0badc0de', 1],
      ],
    );
  });
});

describe('Faults > verify > dead letters needing a human', () => {
  const poison = [
    { needsHuman: 'unreadable' as const },
    {},
    { needsHuman: 'code' as const },
    { needsHuman: 'unreadable' as const },
  ];

  it('expects one note per poison record that carries a code or cannot be read, by verdict', () => {
    assert.deepEqual(expectedNeedsHuman(poison), { code: 1, unreadable: 2 });
    assert.deepEqual(expectedNeedsHuman([]), { code: 0, unreadable: 0 });
  });

  it('passes only on the exact count of each verdict', () => {
    const expected = expectedNeedsHuman(poison);
    assert.equal(
      needsHumanMismatch(expected, { code: 1, unreadable: 2, truncated: false }),
      undefined,
    );
    for (const [shown, why] of [
      [undefined, /no count/],
      [{ code: 0, unreadable: 2 }, /0 dead letters as code, not 1/],
      [{ code: 2, unreadable: 2 }, /2 dead letters as code, not 1/],
      [{ code: 0, unreadable: 3 }, /as code, not 1, and 3 dead letters as unreadable, not 2/],
      [{ code: 1, unreadable: 2, truncated: true }, /truncated/],
    ] as const)
      assert.match(String(needsHumanMismatch(expected, shown)), why);
  });
});
