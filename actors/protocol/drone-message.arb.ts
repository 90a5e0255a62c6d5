/**
 * fast-check arbitraries for drone messages: v1 messages (sequenced, and normalised legacy ones), messages that
 * report a violation, and the seed's legacy JSON in every accepted spelling.
 */
import fc from 'fast-check';

import { E } from '../../runtime/codec.ts';
import {
  arbDroneId,
  arbEpochMs,
  arbLocation,
  arbNycLocation,
  arbOffsetMinutes,
  arbSafeText,
  arbUtcTime,
  arbViolationCode,
  withOffset,
} from './common.arb.ts';
import { type DroneMessage, droneMessageId, type ViolationMessage } from './drone-message.ts';
import { DroneMessageLegacy, type DroneMessageLegacyInput } from './drone-message-in.ts';

const arbViolation = fc.record(
  { violationCode: arbViolationCode, violationImageId: arbSafeText },
  { noNullPrototype: true },
);

/** v1 messages with a sequence number, with or without a violation and an address. */
export const arbSequencedDroneMessage: fc.Arbitrary<DroneMessage> = fc
  .record(
    {
      droneId: arbDroneId,
      seq: fc.nat(),
      time: arbUtcTime,
      location: fc.oneof(arbLocation, arbNycLocation),
      violation: arbViolation,
      address: arbSafeText,
    },
    { noNullPrototype: true, requiredKeys: ['droneId', 'seq', 'time', 'location'] },
  )
  .map(({ violation, ...m }): DroneMessage => ({
    type: 'drone.message',
    v: 1,
    id: droneMessageId(m.droneId, m.seq),
    ...m,
    ...violation,
  }));

/** The seed's legacy JSON: 3 or 5 fields, locations as object, `{latitude, longitude}` or `"lat,lon"`. */
export const arbLegacyDroneMessage: fc.Arbitrary<DroneMessageLegacyInput> = fc
  .record(
    {
      droneId: arbDroneId,
      time: fc
        .tuple(arbEpochMs, arbOffsetMinutes, fc.boolean())
        .map(([ms, o, z]) => withOffset(ms, o, z)),
      location: fc
        .oneof(arbLocation, arbNycLocation)
        .chain(({ lat, lon }) =>
          fc.constantFrom<DroneMessageLegacyInput['location']>(
            { lat, lon },
            { latitude: lat, longitude: lon },
            `${lat.toFixed(6)},${lon.toFixed(6)}`,
            ` ${lat.toFixed(5)} , ${lon.toFixed(5)} `,
          ),
        ),
      violation: fc.oneof(
        arbViolation,
        arbViolation.map((v) => ({ ...v, violationCode: String(v.violationCode) })),
        fc.constant({ violationCode: null, violationImageId: null }),
      ),
      address: fc.oneof(arbSafeText, fc.constant(null)),
    },
    { noNullPrototype: true, requiredKeys: ['droneId', 'time', 'location'] },
  )
  .map(({ violation, ...m }) => ({ ...m, ...violation }));

/** v1 messages as consumers see them: sequenced ones and normalised legacy ones (no `seq`). */
export const arbDroneMessage: fc.Arbitrary<DroneMessage> = fc.oneof(
  { arbitrary: arbSequencedDroneMessage, weight: 3 },
  {
    arbitrary: arbLegacyDroneMessage.chain((raw) => {
      const decoded = DroneMessageLegacy.decode(raw);
      if (E.isLeft(decoded))
        throw new Error(`arbLegacyDroneMessage made an undecodable ${JSON.stringify(raw)}`);
      return fc.constant(decoded.right);
    }),
    weight: 1,
  },
);

/** v1 messages that report a violation. */
export const arbViolationMessage: fc.Arbitrary<ViolationMessage> = fc
  .tuple(arbDroneMessage, arbViolation)
  .map(([m, v]) => ({ ...m, ...v }));
