/**
 * The shared vocabulary of PrestaCop's actors: every message codec and type, their constructors and helpers,
 * the violation-code table and the dead-letter contract. Import from here, not from the files.
 *
 * Test arbitraries (fast-check, a dev dependency) are exported separately from `./arb.ts`, so production code
 * importing this module never loads fast-check.
 *
 * @example
 * import { DroneMessageIn, type DroneMessage, needsHuman, toAlarmRaised } from '../protocol/index.ts';
 */
export * from '../../runtime/dead-letter.ts';
export * from './alarm.ts';
export * from './borough.ts';
export * from './code-weights.ts';
export * from './codec-kit.ts';
export * from './drone-message.ts';
export * from './drone-message-in.ts';
export * from './drone-watch.ts';
export * from './message-hash.ts';
export * from './nypd-header.ts';
export * from './nypd-ticket.ts';
export * from './primitives.ts';
export * from './resources.ts';
export * from './time.ts';
export * from './violation-codes.ts';
export * from './violation-image.ts';
// nyc.ts (borough outlines, used by the drone simulator) re-exports borough.ts's `Borough` and `BOROUGHS`; the
// rest of it is re-exported here.
export {
  BOROUGH_OUTLINES,
  boroughAt,
  boundsOf,
  insideRing,
  isManhattanBelow96th,
  type LatLon,
} from './nyc.ts';
