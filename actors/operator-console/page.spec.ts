/**
 * The page's reconnect plan, run as the browser runs it (the same JS text, in a fresh VM context): what the page
 * does once its event stream closed for good, from what HEAD /events answered.
 */
import assert from 'node:assert/strict';
import vm from 'node:vm';

import { pageJs, reconnectPlanJs } from './page.ts';

interface Plan {
  readonly retry: boolean;
  readonly delayMs: number;
  readonly state: string;
  readonly text: string;
}
type ReconnectPlan = (
  status: number,
  retryAfter: string | null,
  attempt: number,
  random: number,
  now: number,
) => Plan;

const inVm = vm.runInNewContext(`${reconnectPlanJs}; reconnectPlan`) as ReconnectPlan;
/** Its answer copied out of the VM's realm (another Object prototype). */
const reconnectPlan: ReconnectPlan = (...args) => ({ ...inVm(...args) });
const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('Operator console > page > reconnect plan', () => {
  it('is the script the page runs', () => {
    assert.ok(pageJs.includes(reconnectPlanJs));
  });

  it('after a 503, says "console busy" and retries with backoff, never sooner than Retry-After', () => {
    const busy = reconnectPlan(503, null, 1, 0, NOW);
    assert.deepEqual(busy, {
      retry: true,
      delayMs: 1_000,
      state: 'busy',
      text: 'console busy: retrying in 1 s',
    });
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6, 7, 9].map((n) => reconnectPlan(503, null, n, 0, NOW).delayMs),
      [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000],
    );
    assert.equal(reconnectPlan(503, '7', 1, 0, NOW).delayMs, 7_000);
    assert.equal(reconnectPlan(503, ' 7 ', 5, 0, NOW).delayMs, 16_000); // the backoff is longer
    const date = new Date(NOW + 20_000).toUTCString();
    assert.equal(reconnectPlan(503, date, 1, 0, NOW).delayMs, 20_000);
    assert.equal(reconnectPlan(503, 'soon', 1, 0, NOW).delayMs, 1_000);
    assert.equal(reconnectPlan(503, '999999999', 1, 0, NOW).delayMs, 3_600_000); // capped at an hour
  });

  it('adds up to 50 % jitter, upwards only', () => {
    assert.equal(reconnectPlan(503, '7', 1, 0.999, NOW).delayMs, 10_497);
    for (const r of [0, 0.25, 0.5, 0.75, 0.999]) {
      const d = reconnectPlan(503, '4', 2, r, NOW).delayMs;
      assert.ok(d >= 4_000 && d < 6_000, String(d));
    }
  });

  it('after a 401, stops and says the session expired and how to reopen it', () => {
    const plan = reconnectPlan(401, null, 1, 0.5, NOW);
    assert.equal(plan.retry, false);
    assert.equal(plan.state, 'expired');
    assert.match(plan.text, /session expired: open \/\?token=<your token> again/);
    assert.deepEqual(reconnectPlan(400, null, 1, 0.5, NOW), plan); // a cookie that is no session
  });

  it('retries at once when a slot is free, then backs off; any other answer backs off', () => {
    assert.equal(reconnectPlan(200, null, 1, 0.5, NOW).delayMs, 0);
    assert.equal(reconnectPlan(200, null, 3, 0, NOW).delayMs, 4_000);
    assert.deepEqual(reconnectPlan(0, null, 2, 0, NOW), {
      retry: true,
      delayMs: 2_000,
      state: 'offline',
      text: 'offline: retrying in 2 s',
    });
    assert.equal(reconnectPlan(502, null, 1, 0, NOW).text, 'error 502: retrying in 1 s');
  });
});
