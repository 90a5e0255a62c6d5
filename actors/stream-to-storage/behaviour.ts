/**
 * What the storage writer does with each message, as commands (xstate-style "actions as data"): every message is
 * archived; drone messages go to the hot table first. One command per message, so the effect stores a message in
 * both places or in neither: a message the hot table refuses (an id conflict) is dead-lettered, not archived. The
 * ports run the command; TTL and partitions come from the ingestion time the bus reports, so this stays pure.
 */
import { map, type Observable } from 'rxjs';

import type { DroneMessage } from '../protocol/drone-message.ts';
import type { NypdTicket } from '../protocol/nypd-ticket.ts';

/** Anything the writer stores. */
export type StoredMessage = DroneMessage | NypdTicket;

/** Store a message: in the hot table first when `hot`, then in the archive. */
export interface StorageCommand {
  readonly kind: 'store';
  readonly message: StoredMessage;
  readonly hot: boolean;
}

export interface StorageConfig {
  /** Message types kept in the hot table (history goes to the archive only: it is not hot). */
  readonly hotTypes: ReadonlyArray<StoredMessage['type']>;
}

/**
 * The behaviour.
 * @example input$.pipe(storageWriter({ hotTypes: ['drone.message'] }))
 */
export const storageWriter =
  (cfg: StorageConfig) =>
  (messages$: Observable<StoredMessage>): Observable<StorageCommand> =>
    messages$.pipe(
      map((message): StorageCommand => ({
        kind: 'store',
        message,
        hot: cfg.hotTypes.includes(message.type),
      })),
    );
