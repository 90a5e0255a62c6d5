/** fast-check arbitraries for alarm events; ids are derived as the codecs require. */
import fc from 'fast-check';

import {
  type AlarmEscalated,
  type AlarmEvent,
  type AlarmRaised,
  type AlarmResolved,
  toAlarmEscalated,
  toAlarmRaised,
  toAlarmResolved,
} from './alarm.ts';
import { BOROUGHS } from './borough.ts';
import { arbMessageId, arbSafeText, arbUtcTime } from './common.arb.ts';
import { arbViolationMessage } from './drone-message.arb.ts';

/** Alarms raised for violation messages, with or without a borough. */
export const arbAlarmRaised: fc.Arbitrary<AlarmRaised> = fc
  .tuple(
    arbViolationMessage,
    arbUtcTime,
    fc.option(fc.constantFrom(...BOROUGHS), { nil: undefined }),
  )
  .map(([m, raisedAt, borough]) => toAlarmRaised(m, raisedAt, borough));

/** Escalations, by timeout or by an operator. */
export const arbAlarmEscalated: fc.Arbitrary<AlarmEscalated> = fc
  .record(
    {
      alarmId: arbMessageId,
      level: fc.integer({ min: 1, max: 5 }),
      reason: fc.constantFrom('unacknowledged' as const, 'operator' as const),
      afterMs: fc.nat(),
      escalatedAt: arbUtcTime,
      by: arbSafeText.map((s) => s.slice(0, 64)).filter((s) => s.trim() !== ''),
    },
    {
      noNullPrototype: true,
      requiredKeys: ['alarmId', 'level', 'reason', 'afterMs', 'escalatedAt'],
    },
  )
  .map(toAlarmEscalated);

/** Operator decisions, with or without a note. */
export const arbAlarmResolved: fc.Arbitrary<AlarmResolved> = fc
  .record(
    {
      alarmId: arbMessageId,
      decision: fc.constantFrom(
        'acknowledged' as const,
        'confirmed' as const,
        'dismissed' as const,
      ),
      by: arbSafeText.map((s) => s.slice(0, 64)).filter((s) => s.trim() !== ''),
      at: arbUtcTime,
      note: arbSafeText,
    },
    { noNullPrototype: true, requiredKeys: ['alarmId', 'decision', 'by', 'at'] },
  )
  .map(toAlarmResolved);

/** Any alarm event. */
export const arbAlarmEvent: fc.Arbitrary<AlarmEvent> = fc.oneof(
  arbAlarmRaised,
  arbAlarmEscalated,
  arbAlarmResolved,
);
