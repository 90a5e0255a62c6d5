import assert from 'node:assert/strict';

import { Capacity, Ticket } from './kinesis-capacity.ts';

describe('Bus > kinesis producer buffer', () => {
  it('admits while there is room, then makes publishers wait in arrival order', async () => {
    const c = new Capacity(100, 3);
    assert.ok(c.tryAcquire(40));
    assert.ok(c.tryAcquire(40));
    assert.ok(!c.tryAcquire(40)); // 120 bytes > 100
    const order: string[] = [];
    const first = c.acquire(40).then(() => order.push('first'));
    const second = c.acquire(10).then(() => order.push('second'));
    assert.ok(!c.tryAcquire(1), 'a newcomer does not overtake the waiters');
    c.release(40, 1);
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'second']);
    assert.deepEqual(c.used, { bytes: 90, messages: 3 });
  });

  it('bounds the message count as well as the bytes', () => {
    const c = new Capacity(1_000, 2);
    assert.ok(c.tryAcquire(1));
    assert.ok(c.tryAcquire(1));
    assert.ok(!c.tryAcquire(1));
  });

  it('admits one oversized message into an empty buffer rather than waiting for ever', () => {
    const c = new Capacity(10, 10);
    assert.ok(c.tryAcquire(1_000));
    assert.ok(!c.tryAcquire(1));
  });

  it('settles a publish when all its messages are accepted, or at the first give-up', async () => {
    const ok = new Ticket(2);
    ok.accepted();
    assert.ok(!ok.settled);
    ok.accepted();
    await ok.done;
    const bad = new Ticket(2);
    bad.accepted();
    bad.failed({ _tag: 'PortFailure' });
    bad.failed({ _tag: 'Other' });
    await assert.rejects(bad.done, (e: { _tag: string }) => e._tag === 'PortFailure');
    await new Ticket(0).done;
  });
});
