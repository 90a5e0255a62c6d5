/**
 * In-memory ports with the same rules as the DynamoDB ones (derived ids, first write wins, confirm/dismiss need
 * an acknowledgement and exclude each other, no escalation after an acknowledgement): for behaviour tests and
 * `npm run screenshot`, which need no AWS stack.
 */
import {
  type AlarmEscalated,
  type AlarmRaised,
  alarmResolutionId,
  type AlarmResolved,
} from '../protocol/alarm.ts';
import type {
  AlarmFeed,
  AlarmSource,
  DecisionStore,
  EscalationPublisher,
  FeedItem,
  Image,
  ImageSource,
} from './ports.ts';
import type { OperatorConsoleDeps } from './service.ts';

/** A decision store in memory; `events` is readable by tests. */
export const createMemoryDecisionStore = (): DecisionStore & {
  readonly events: Map<string, { event: AlarmResolved | AlarmEscalated; publishedAt?: string }>;
} => {
  const events = new Map<string, { event: AlarmResolved | AlarmEscalated; publishedAt?: string }>();
  return {
    events,
    load: () =>
      Promise.resolve({
        resolutions: [...events.values()].flatMap((e) =>
          e.event.type === 'alarm.resolved' ? [e.event] : [],
        ),
        escalations: [...events.values()].flatMap((e) =>
          e.event.type === 'alarm.escalated'
            ? [{ event: e.event, ...(e.publishedAt ? { publishedAt: e.publishedAt } : {}) }]
            : [],
        ),
      }),
    decide: (r) => {
      if (events.has(r.id)) return Promise.resolve({ _tag: 'rejected', reason: 'duplicate' });
      if (r.decision !== 'acknowledged') {
        const other = r.decision === 'confirmed' ? 'dismissed' : 'confirmed';
        if (events.has(alarmResolutionId(r.alarmId, other)))
          return Promise.resolve({ _tag: 'rejected', reason: 'already-resolved' });
        if (!events.has(alarmResolutionId(r.alarmId, 'acknowledged')))
          return Promise.resolve({ _tag: 'rejected', reason: 'not-acknowledged' });
      }
      events.set(r.id, { event: r });
      return Promise.resolve({ _tag: 'recorded' });
    },
    escalate: (e) => {
      if (events.has(e.id)) return Promise.resolve('already-escalated');
      if (events.has(alarmResolutionId(e.alarmId, 'acknowledged')))
        return Promise.resolve('acknowledged');
      events.set(e.id, { event: e });
      return Promise.resolve('escalated');
    },
    markEscalationPublished: (id, at) => {
      const e = events.get(id);
      if (e) e.publishedAt = new Date(at).toISOString();
      return Promise.resolve();
    },
  };
};

/** Alarms in memory (all of them, whatever `sinceMs`). */
export const memoryAlarmSource = (alarms: ReadonlyArray<AlarmRaised>): AlarmSource => ({
  load: () => Promise.resolve(alarms),
});

/** A feed the test pushes into. */
export const createMemoryFeed = (): AlarmFeed & { readonly push: (item: FeedItem) => void } => {
  let sink: ((item: FeedItem) => void) | undefined;
  return {
    push: (item) => sink?.(item),
    start: (onItem) => {
      sink = onItem;
      return {
        stop: () => {
          sink = undefined;
          return Promise.resolve();
        },
      };
    },
  };
};

/** A publisher that keeps what it was given. */
export const createMemoryPublisher = (): EscalationPublisher & {
  readonly published: AlarmEscalated[];
  readonly decisions: AlarmResolved[];
} => {
  const published: AlarmEscalated[] = [];
  const decisions: AlarmResolved[] = [];
  return {
    published,
    decisions,
    publish: (e) => {
      published.push(e);
      return Promise.resolve();
    },
    publishDecision: (r) => {
      decisions.push(r);
      return Promise.resolve();
    },
  };
};

/** Images from a function (e.g. the simulator's generator). */
export const functionImageSource = (
  svgOf: (imageId: string) => string | undefined,
): ImageSource => ({
  get: (imageId): Promise<Image | undefined> => {
    const svg = svgOf(imageId);
    return Promise.resolve(
      svg === undefined ? undefined : { body: Buffer.from(svg), contentType: 'image/svg+xml' },
    );
  },
});

/**
 * A console on empty in-memory ports (no alarms, images or code definitions) on a free loopback port: what specs
 * start from, overriding what they look at (`{ ...memoryConsoleDeps(60_000), feed }`).
 */
export const memoryConsoleDeps = (escalateAfterMs: number): OperatorConsoleDeps => ({
  alarms: memoryAlarmSource([]),
  store: createMemoryDecisionStore(),
  feed: createMemoryFeed(),
  publisher: createMemoryPublisher(),
  images: functionImageSource(() => undefined),
  describe: () => undefined,
  escalateAfterMs,
  host: '127.0.0.1',
  port: 0,
});
