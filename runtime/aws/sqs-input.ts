/**
 * An SQS queue as an input: long-polling receive loops side by side (one slow call never holds the rest), each
 * body handed to the caller in receive order within a loop, and a message deleted only once it was handled. The
 * acknowledgement rule is the bus's: a body whose handler rejects is not deleted, so SQS hands it out again after
 * its visibility timeout; a handler that dead-letters a bad body resolves once the letter is written. One after
 * the other (the default), a loop handles a receive's bodies in turn before the next receive. Concurrent, the loops
 * keep receiving while fewer than `maxInFlight` bodies are being handled, and each message is deleted as soon as
 * its own handler resolved, so a handler that waits on a batch's timer holds only its own room, not its loop. One
 * loop for every reader of a queue, so receive, delete and stop are written and tested once.
 */
import {
  DeleteMessageBatchCommand,
  type DeleteMessageBatchRequestEntry,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import { sleep } from '../retry.ts';

/** The most messages one ReceiveMessage or DeleteMessageBatch call takes (SQS's own limit). */
const SQS_BATCH = 10;

/** Options of {@link receiveQueue}. */
export interface QueueInputOptions {
  /** Delete what was handled (default true). Off, a reader only peeks: bodies come back after their timeout. */
  readonly consume?: boolean;
  /** Receive loops side by side (default 2). */
  readonly receivers?: number;
  /** Long-poll wait per call in seconds (default 1: also bounds how long stop() takes). */
  readonly waitSeconds?: number;
  /** Pause after a failed receive call before the next (default 500 ms): an emulator restarting, throttling. */
  readonly retryMs?: number;
  /**
   * Hand bodies over as they are received and let their handlers run together (default false: one after the
   * other, each receive's bodies handled before the next receive). For a handler that resolves only once a batch
   * holding its body is stored (an archive): one at a time, each would wait for its batch's timer alone. The loops
   * do not wait for a receive's handlers: they keep receiving while fewer than `maxInFlight` bodies are handled.
   */
  readonly concurrent?: boolean;
  /**
   * With `concurrent`, the most bodies handled at once over all loops (default `receivers` × 10, what one receive
   * per loop brings). A loop asks for at most the room left (and 10), and waits for a handler to settle when there
   * is none. Memory held by handlers is bounded by this many bodies. Ignored one after the other.
   */
  readonly maxInFlight?: number;
  /** A receive or delete call failed, or a handler rejected (its body is not deleted). */
  readonly onError?: (e: unknown) => void;
}

/** A running input. */
export interface QueueInput {
  /** Stops receiving; resolves when every loop ended (within `waitSeconds`), handlers settled and deletes were sent. */
  readonly stop: () => Promise<void>;
}

/**
 * Starts receiving from `queueUrl`. `handle` gets each body (`''` for a message without one); the message is
 * deleted after `handle` returned, or after its promise resolved. One after the other, deletes are batched per
 * receive; concurrent, each message is deleted once its own handler resolved, grouped with the others ready by
 * then (at most 10 a call, sent when 10 are ready or on the next turn of the event loop). Deletes are not awaited
 * by the loops (stop() awaits them): a failed delete only means the body comes back, which readers of an
 * at-least-once queue tolerate.
 * @example
 * const input = receiveQueue(clients.sqs, queueUrl, (body) => void seen.push(body));
 * await input.stop();
 */
export const receiveQueue = (
  sqs: SQSClient,
  queueUrl: string,
  handle: (body: string) => void | Promise<void>,
  options: QueueInputOptions = {},
): QueueInput => {
  const consume = options.consume ?? true;
  const receivers = options.receivers ?? 2;
  const maxInFlight = options.maxInFlight ?? receivers * SQS_BATCH;
  if (options.concurrent && !(Number.isInteger(maxInFlight) && maxInFlight > 0))
    throw new RangeError(`maxInFlight must be a positive integer, not ${maxInFlight}`);
  let stopped = false;
  const deletes = new Set<Promise<unknown>>();

  const deleteBatch = (entries: DeleteMessageBatchRequestEntry[]) => {
    const p = sqs
      .send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
      .catch((e: unknown) => options.onError?.(e))
      .finally(() => deletes.delete(p));
    deletes.add(p);
  };

  // The handled messages whose delete is not sent yet: sent 10 a call, when 10 are ready or on the next turn.
  let ready: DeleteMessageBatchRequestEntry[] = [];
  let flushQueued = false;
  const flushReady = () => {
    flushQueued = false;
    while (ready.length > 0) {
      const entries = ready.slice(0, SQS_BATCH).map((e, i) => ({ ...e, Id: String(i) }));
      ready = ready.slice(SQS_BATCH);
      deleteBatch(entries);
    }
  };
  const deleteLater = (m: Message) => {
    if (!consume || !m.ReceiptHandle) return;
    ready.push({ Id: '', ReceiptHandle: m.ReceiptHandle });
    if (ready.length >= SQS_BATCH) flushReady();
    else if (!flushQueued) {
      flushQueued = true;
      setImmediate(flushReady);
    }
  };

  const receive = async (max: number): Promise<ReadonlyArray<Message> | undefined> => {
    try {
      const out = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: max,
          WaitTimeSeconds: options.waitSeconds ?? 1,
        }),
      );
      return out.Messages ?? [];
    } catch (e) {
      options.onError?.(e);
      if (!stopped) await sleep(options.retryMs ?? 500);
      return undefined;
    }
  };

  /** Handles one body; true once its handler resolved (then the message may be deleted). Never rejects. */
  const handled = async (m: Message): Promise<boolean> => {
    try {
      const done = handle(m.Body ?? '');
      if (done !== undefined) await done;
      return true;
    } catch (e) {
      options.onError?.(e); // not deleted: handed out again after its visibility timeout
      return false;
    }
  };

  // One after the other: a receive's bodies in turn, their deletes in one call, then the next receive.
  const inTurn = async (): Promise<void> => {
    while (!stopped) {
      const messages = await receive(SQS_BATCH);
      if (messages === undefined) continue;
      for (const m of messages) if (await handled(m)) deleteLater(m);
      flushReady(); // the receive's deletes in one call, now
    }
  };

  // Concurrent: the bodies being handled (over all loops), the room asked for by receives under way, and the loops
  // waiting for room.
  const handlers = new Set<Promise<void>>();
  let reserved = 0;
  let waiting: Array<() => void> = [];
  const wake = () => {
    const woken = waiting;
    waiting = [];
    for (const w of woken) w();
  };
  const start = (m: Message) => {
    const p: Promise<void> = handled(m).then((ok) => {
      handlers.delete(p);
      if (ok) deleteLater(m);
      wake();
    });
    handlers.add(p);
  };

  const together = async (): Promise<void> => {
    while (!stopped) {
      const room = maxInFlight - handlers.size - reserved;
      if (room <= 0) {
        await new Promise<void>((r) => waiting.push(r));
        continue;
      }
      const ask = Math.min(SQS_BATCH, room);
      reserved += ask;
      const messages = await receive(ask); // never rejects
      reserved -= ask; // in the same turn as the bodies take their room: no other loop sees it twice
      for (const m of messages ?? []) start(m);
      if ((messages?.length ?? 0) < ask) wake(); // room reserved but not taken: another loop may use it
    }
  };

  const loops = Array.from({ length: receivers }, options.concurrent ? together : inTurn);
  return {
    stop: async () => {
      stopped = true;
      wake();
      await Promise.all(loops);
      while (handlers.size > 0) await Promise.all([...handlers]);
      flushReady();
      await Promise.all([...deletes]);
    },
  };
};
