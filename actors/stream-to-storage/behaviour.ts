/**
 * What the storage writer does with each message, as commands (xstate-style "actions as data"): every message is
 * archived; drone messages also go to the hot table. The ports run the commands; TTL and partitions come from
 * the ingestion time the bus reports, so this stays pure.
 */
import { mergeMap, type Observable } from 'rxjs';

import type { DroneMessage } from '../protocol/drone-message.ts';
import type { NypdTicket } from '../protocol/nypd-ticket.ts';

/** Anything the writer stores. */
export type StoredMessage = DroneMessage | NypdTicket;

export type StorageCommand =
  | { readonly kind: 'table.put'; readonly message: StoredMessage }
  | { readonly kind: 'archive.append'; readonly message: StoredMessage };

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
      mergeMap((message): StorageCommand[] =>
        cfg.hotTypes.includes(message.type)
          ? [
              { kind: 'table.put', message },
              { kind: 'archive.append', message },
            ]
          : [{ kind: 'archive.append', message }],
      ),
    );
