/**
 * Hand-written messages of the protocol for specs, one example of each, so that every spec spells a valid message
 * the same way (fast-check's arbitraries, `actors/protocol/arb.ts`, are for properties). A spec overrides what it
 * tests with a spread: `{ ...EXAMPLE_DRONE_MESSAGE, seq: 7 }`.
 */
import { AlarmRaised } from '../../actors/protocol/alarm.ts';
import { nypdTicketId } from '../../actors/protocol/nypd-ticket.ts';
import { utcTimeOf } from '../../actors/protocol/time.ts';
import { E } from '../../runtime/codec.ts';

/** Drone 1's first message as JSON, before decoding: no violation (add `violationCode` and `violationImageId`). */
export const EXAMPLE_DRONE_MESSAGE = {
  type: 'drone.message',
  v: 1,
  id: 'drone-0001:0',
  droneId: 'drone-0001',
  seq: 0,
  time: '2026-11-27T18:49:16.123Z',
  location: { lat: 40.7128, lon: -74.006 },
} as const;

/**
 * The ticket of the first row of `fixtures/fy2014-sample.csv` as JSON: its identifying fields, its time and code,
 * and its plate (csv-to-stream's normalisation gives these and more).
 */
export const EXAMPLE_NYPD_TICKET = {
  type: 'nypd.ticket',
  v: 1,
  id: 'nypd:1283294138',
  summonsNumber: '1283294138',
  issuedAt: '2013-08-04T07:52:00-04:00',
  issueDate: '2013-08-04',
  violationCode: 46,
  plateId: 'GBB9093',
  registrationState: 'NY',
} as const;

/**
 * A ticket as the archive holds it (an NDJSON line, before any decoding), with summons number `summons`: code 21
 * on a morning in March 2017 in Manhattan; `fields` override any of it (`violationCode: undefined`: no code).
 */
export const archivedTicket = (
  summons: string,
  fields: Readonly<Record<string, unknown>> = {},
) => ({
  type: 'nypd.ticket',
  v: 1,
  id: nypdTicketId(summons),
  summonsNumber: summons,
  issuedAt: '2017-03-04T07:52:00-05:00',
  issueDate: '2017-03-04',
  violationCode: 21,
  violationCounty: 'NY',
  ...fields,
});

/**
 * The alarm the alert system raises for message `id` (`<droneId>:<seq>`) at `raisedAtMs`: code 40 at Times Square
 * (Manhattan), the message sent at the same instant; `fields` override any of it. Throws if it does not decode.
 */
export const alarmRaised = (
  id: string,
  raisedAtMs: number,
  fields: Readonly<Record<string, unknown>> = {},
): AlarmRaised => {
  const decoded = AlarmRaised.decode({
    type: 'alarm.raised',
    v: 1,
    id,
    messageId: id,
    droneId: id.split(':')[0],
    violationCode: 40,
    violationImageId: `img-${id}`,
    location: { lat: 40.758, lon: -73.9855 },
    time: utcTimeOf(raisedAtMs),
    raisedAt: utcTimeOf(raisedAtMs),
    borough: 'Manhattan',
    ...fields,
  });
  if (E.isLeft(decoded)) throw new Error(`bad test alarm ${id}`);
  return decoded.right;
};
