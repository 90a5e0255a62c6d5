/**
 * `npm run screenshot`: refreshes docs/console.png, the operator console as the README shows it. The console
 * runs on in-memory ports (no AWS stack needed) with a fixed, realistic set of alarms in all five boroughs:
 * open, escalated, acknowledged, confirmed and dismissed; images from the simulator's camera.
 */
import '../runtime/node-version.ts';

import { mkdirSync, statSync } from 'node:fs';

import { violationImageSvg } from '../actors/drone-simulator/violation-image.ts';
import {
  createMemoryDecisionStore,
  createMemoryFeed,
  createMemoryPublisher,
  functionImageSource,
  memoryAlarmSource,
} from '../actors/operator-console/memory.ts';
import { startOperatorConsole } from '../actors/operator-console/service.ts';
import {
  AlarmRaised,
  type AlarmResolved,
  toAlarmEscalated,
  toAlarmResolved,
} from '../actors/protocol/alarm.ts';
import { boroughAt } from '../actors/protocol/nyc.ts';
import { utcTimeOf } from '../actors/protocol/time.ts';
import { loadViolationCodes } from '../actors/protocol/violation-codes.ts';
import { E } from '../runtime/codec.ts';
import { launchChromium } from '../test/helpers/chromium.ts';

const OUT = 'docs/console.png';
const NOW = Date.parse('2026-11-27T22:40:00Z');

/** [drone, code, lat, lon, minutes ago, address] */
const SIGHTINGS: ReadonlyArray<readonly [number, number, number, number, number, string?]> = [
  [14, 40, 40.7527, -73.9772, 0.4, 'E 42 St & Park Ave'],
  [3, 18, 40.6782, -73.9442, 1.2, 'Nostrand Ave & Atlantic Ave'],
  [27, 67, 40.7433, -73.9196, 2.5],
  [8, 48, 40.8296, -73.9262, 3.1, 'Grand Concourse & E 161 St'],
  [51, 9, 40.7589, -73.9851, 4.4, 'Broadway & W 45 St'],
  [19, 27, 40.5795, -74.1502, 6.0],
  [33, 50, 40.7061, -74.0087, 7.7, 'Wall St & Broad St'],
  [42, 53, 40.7282, -73.7949, 9.3],
  [6, 96, 40.6501, -73.9496, 11.0],
];

const codes = loadViolationCodes();
if (E.isLeft(codes)) throw new Error(codes.left.issues.join('\n'));

const alarms = SIGHTINGS.map(([drone, code, lat, lon, ago, address], i) => {
  const droneId = `drone-${String(drone).padStart(4, '0')}`;
  const seq = 29_410_000 + i * 7;
  const time = NOW - ago * 60_000;
  const decoded = AlarmRaised.decode({
    type: 'alarm.raised',
    v: 1,
    id: `${droneId}:${seq}`,
    messageId: `${droneId}:${seq}`,
    droneId,
    violationCode: code,
    violationImageId: `img-${droneId}-${seq}`,
    location: { lat, lon },
    time: utcTimeOf(time),
    raisedAt: utcTimeOf(time + 140),
    ...(boroughAt(lat, lon) ? { borough: boroughAt(lat, lon) } : {}),
    ...(address ? { address } : {}),
  });
  if (E.isLeft(decoded)) throw new Error(`bad sample alarm ${droneId}`);
  return decoded.right;
});

const store = createMemoryDecisionStore();
const decide = async (
  i: number,
  decisions: ReadonlyArray<AlarmResolved['decision']>,
  by: string,
) => {
  const a = alarms[i]!;
  for (const [k, decision] of decisions.entries())
    await store.decide(
      toAlarmResolved({
        alarmId: a.id,
        decision,
        by,
        at: utcTimeOf(NOW - 60_000 + k * 20_000 - i * 1_000),
      }),
    );
};
await decide(1, ['acknowledged'], 'sgt.rivera');
await decide(4, ['acknowledged', 'confirmed'], 'sgt.rivera');
await decide(5, ['acknowledged'], 'ofc.chen');
await decide(6, ['acknowledged', 'dismissed'], 'ofc.chen');
await decide(8, ['acknowledged', 'confirmed'], 'sgt.rivera');
await store.escalate(
  toAlarmEscalated({
    alarmId: alarms[7]!.id,
    level: 1,
    reason: 'unacknowledged',
    afterMs: 120_000,
    escalatedAt: utcTimeOf(Date.parse(alarms[7]!.raisedAt) + 120_000),
  }),
);

const console_ = await startOperatorConsole({
  alarms: memoryAlarmSource(alarms),
  store,
  feed: createMemoryFeed(),
  publisher: createMemoryPublisher(),
  images: functionImageSource(violationImageSvg),
  describe: (code) => codes.right.get(code)?.definition,
  escalateAfterMs: 86_400_000,
  host: '127.0.0.1',
  port: 0,
  clock: { now: () => NOW },
});
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
  await page.goto(console_.url);
  // Strings run in the page (this project's TypeScript has no DOM types).
  await page.waitForFunction("document.querySelectorAll('#alarms li').length === 9");
  await page.waitForFunction(
    "[...document.querySelectorAll('#alarms img')].every((i) => i.complete && i.naturalWidth > 0)",
  );
  await page.fill('#operator', 'sgt.rivera');
  mkdirSync('docs', { recursive: true });
  await page.screenshot({ path: OUT, type: 'png' });
} finally {
  await browser.close();
  await console_.stop();
}
process.stderr.write(`${OUT}: ${Math.round(statSync(OUT).size / 1024)} KB\n`);
