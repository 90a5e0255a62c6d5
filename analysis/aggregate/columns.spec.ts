import assert from 'node:assert/strict';

import { columnOf, columnsOf } from './columns.ts';

describe('Aggregate > columns', () => {
  it('gives a table its declared columns in the order named, a label given beside the key kept', () => {
    assert.deepEqual(columnsOf('violation_code', ['tickets', 'Violations'], 'share'), [
      { key: 'violation_code', label: 'Code', kind: 'text' },
      { key: 'tickets', label: 'Violations', kind: 'count' },
      { key: 'share', label: 'Share', kind: 'share' },
    ]);
    assert.deepEqual(columnOf('estimated_revenue'), {
      key: 'estimated_revenue',
      label: 'Estimated revenue',
      kind: 'money',
    });
  });
});
