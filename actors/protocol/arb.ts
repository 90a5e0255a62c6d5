/**
 * Every fast-check arbitrary of the protocol, for property tests in any actor. Test-only: it imports fast-check (a
 * dev dependency), which is why `index.ts` does not re-export it.
 *
 * @example
 * import { arbDroneMessage } from '../protocol/arb.ts';
 * fc.assert(fc.property(arbDroneMessage, (m) => { assert.ok(DroneMessage.is(m)); }));
 */
export * from './alarm.arb.ts';
export * from './common.arb.ts';
export * from './dead-letter.arb.ts';
export * from './drone-message.arb.ts';
export * from './nypd-ticket.arb.ts';
