import assert from 'node:assert/strict';

import { cardsPerAlarm } from './verify.ts';

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
