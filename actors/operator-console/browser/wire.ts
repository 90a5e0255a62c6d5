/**
 * What the page receives from its server (`server.ts`), as the page reads it: the event stream's events and the
 * JSON answers. Built on the console's own types (`model.ts`), so changing a view or a count there breaks this
 * build, not the page at run time.
 */
import type { AlarmView, ConsoleCounts } from '../model.ts';

/** `event: snapshot` on `/events`, on (re)connect: every alarm and the counts. */
export interface SnapshotEvent {
  readonly alarms: ReadonlyArray<AlarmView>;
  readonly counts: ConsoleCounts;
}

/** `event: alarm` on `/events`: one alarm changed. */
export interface AlarmEvent {
  readonly alarm: AlarmView;
  readonly counts: ConsoleCounts;
}

/** `event: counts` on `/events`: only the counts changed. */
export type CountsEvent = ConsoleCounts;

/** `POST /api/alarms/:id/:action`: `{ alarm }`, `{ reason, alarm }` (409) or `{ error }`. */
export interface ActionReply {
  readonly alarm?: AlarmView;
  readonly reason?: string;
  readonly error?: string;
}

/** `GET /api/session`: who the page acts as (`operator` is set with per-operator tokens). */
export interface SessionReply {
  readonly operator: string | null;
  readonly expiresAt: string | null;
  readonly tokenRequired: boolean;
}
