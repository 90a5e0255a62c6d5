/**
 * The operator console's ports: where alarms come from (the alarm store at start, a queue subscribed to the
 * alarm topic afterwards), where decisions and escalations are recorded (DynamoDB), where escalations are
 * re-published (SNS) and where violation images are read (S3). Adapters: `dynamo-events.ts`, `sqs-feed.ts`,
 * `sns-escalations.ts`, `s3-images.ts`; in-memory fakes: `memory.ts`.
 */
import type { AlarmEscalated, AlarmEvent, AlarmRaised, AlarmResolved } from '../protocol/alarm.ts';
import type { DroneWatchEvent } from '../protocol/drone-watch.ts';

/** The clock port (STYLE §2). */
export interface Clock {
  readonly now: () => number;
}

/** An `alarm.escalated` as recorded: `publishedAt` is set once SNS accepted it. */
export interface RecordedEscalation {
  readonly event: AlarmEscalated;
  readonly publishedAt?: string;
}

/** Everything recorded about alarms, read at start. */
export interface RecordedEvents {
  readonly resolutions: ReadonlyArray<AlarmResolved>;
  readonly escalations: ReadonlyArray<RecordedEscalation>;
}

/**
 * Why a decision was not recorded: `duplicate` (the same decision is already recorded: nothing to do),
 * `not-acknowledged` (confirm/dismiss before an acknowledgement), `already-resolved` (the other final decision
 * won).
 */
export type DecisionRejection = 'duplicate' | 'not-acknowledged' | 'already-resolved';

/** What recording a decision did. */
export type DecisionOutcome =
  { readonly _tag: 'recorded' } | { readonly _tag: 'rejected'; readonly reason: DecisionRejection };

/** What recording an escalation did: only `escalated` publishes it. */
export type EscalationOutcome = 'escalated' | 'already-escalated' | 'acknowledged';

/**
 * The decision store: one record per event id, written with conditions, so a decision or an escalation happens
 * at most once whoever (which process, which click) tries it, and survives restarts.
 */
export interface DecisionStore {
  /** Every recorded resolution and escalation. */
  readonly load: () => Promise<RecordedEvents>;
  /**
   * Records a decision. `acknowledged` needs nothing; `confirmed`/`dismissed` need an acknowledgement and exclude
   * each other. Rejects (`PortFailure`) only when the store fails.
   */
  readonly decide: (r: AlarmResolved) => Promise<DecisionOutcome>;
  /** Records an escalation unless the alarm was acknowledged or already escalated to that level. */
  readonly escalate: (e: AlarmEscalated) => Promise<EscalationOutcome>;
  /** Notes that the escalation reached the topic (an unpublished one is published again at the next start). */
  readonly markEscalationPublished: (id: string, at: number) => Promise<void>;
}

/** The alarms already raised, read at start (the alarm store). */
export interface AlarmSource {
  /** Alarms raised at or after `sinceMs`. */
  readonly load: (sinceMs: number) => Promise<ReadonlyArray<AlarmRaised>>;
}

/** One queue delivery: an alarm event, or a body that was not one (counted, logged). */
export type FeedItem =
  | { readonly _tag: 'event'; readonly event: AlarmEvent }
  | { readonly _tag: 'drone'; readonly event: DroneWatchEvent }
  | { readonly _tag: 'undecodable'; readonly reason: string; readonly body: string };

/** Live alarm events (a queue subscribed to the alarm topic). */
export interface AlarmFeed {
  /** Starts delivering; `onItem` runs synchronously per delivery. Returns a stop that resolves once idle. */
  readonly start: (onItem: (item: FeedItem) => void) => { readonly stop: () => Promise<void> };
}

/**
 * Re-publishes an escalation, and publishes a decision, on the alarm topic (with the alarm's attributes, for
 * filter policies): the other consoles see them live, and stream-to-storage archives them (its alarm archive queue).
 */
export interface EscalationPublisher {
  readonly publish: (e: AlarmEscalated, alarm: AlarmRaised) => Promise<void>;
  readonly publishDecision: (r: AlarmResolved, alarm: AlarmRaised) => Promise<void>;
}

/** A stored image. */
export interface Image {
  readonly body: Uint8Array;
  readonly contentType: string;
}

/** Violation images by image id. */
export interface ImageSource {
  /** The image, or undefined when none is stored. Rejects (`PortFailure`) when the store fails. */
  readonly get: (imageId: string) => Promise<Image | undefined>;
}

/** Where undecodable queue bodies go (S3 `dead-letter/actor=operator-console/`). Rejects when it could not. */
export interface DeadLetters {
  readonly put: (body: string, reasons: ReadonlyArray<string>) => Promise<void>;
}

/**
 * How many dead letters the alert system noted as possibly needing a person (`protocol/needs-human.ts`), and
 * where they are. The alert system decides; the console only counts its notes.
 */
export interface NeedsHumanSummary {
  /** Dead letters whose bytes carried a code that needs a human. */
  readonly code: number;
  /** Dead letters that could not be read within the message size limit (they may have carried one). */
  readonly unreadable: number;
  /** More notes exist than were counted (the listing is bounded): the counts are lower bounds. */
  readonly truncated: boolean;
  /** Where the notes are, e.g. `s3://prestacop-archive/needs-human/` (one per dead letter, naming it). */
  readonly notes: string;
  /** Where the dead letters are, e.g. `s3://prestacop-archive/dead-letter/actor=alert-system/`. */
  readonly letters: string;
  /** The first few noted dead letters (key-safe ids, as in their object names), codes first. */
  readonly examples: ReadonlyArray<{
    readonly verdict: 'code' | 'unreadable';
    readonly deadLetter: string;
  }>;
}

/** The alert system's notes on dead letters that may need a person (S3 `needs-human/`). */
export interface NeedsHumanSource {
  /** Counts the notes. Rejects (`PortFailure`) when the store fails. */
  readonly summary: () => Promise<NeedsHumanSummary>;
}
