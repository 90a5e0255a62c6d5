/**
 * An SQS queue as an input: long-polling receive loops side by side (one slow call never holds the rest), each
 * body handed to the caller in receive order within a loop, and a message deleted only once it was handled. The
 * acknowledgement rule is the bus's: a body whose handler rejects is not deleted, so SQS hands it out again after
 * its visibility timeout; a handler that dead-letters a bad body resolves once the letter is written. One loop
 * for every reader of a queue, so receive, delete and stop are written and tested once.
 */
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

import { sleep } from '../retry.ts';

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
   * Hand a receive's bodies over all at once and wait for their handlers together (default false: one after the
   * other). For a handler that resolves only once a batch holding its body is stored (an archive): one at a
   * time, each would wait for its batch's timer alone.
   */
  readonly concurrent?: boolean;
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
 * deleted after `handle` returned, or after its promise resolved. Deletes are batched per receive and not awaited
 * by the loop: a failed delete only means the body comes back, which readers of an at-least-once queue tolerate.
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
  let stopped = false;
  const deletes = new Set<Promise<unknown>>();

  const remove = (messages: ReadonlyArray<Message>) => {
    const entries = messages.flatMap((m, i) =>
      m.ReceiptHandle ? [{ Id: String(i), ReceiptHandle: m.ReceiptHandle }] : [],
    );
    if (!consume || entries.length === 0) return;
    const p = sqs
      .send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries }))
      .catch((e: unknown) => options.onError?.(e))
      .finally(() => deletes.delete(p));
    deletes.add(p);
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      let messages: ReadonlyArray<Message>;
      try {
        const out = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: options.waitSeconds ?? 1,
          }),
        );
        messages = out.Messages ?? [];
      } catch (e) {
        options.onError?.(e);
        if (!stopped) await sleep(options.retryMs ?? 500);
        continue;
      }
      const handled: Message[] = [];
      const one = async (m: Message) => {
        try {
          const done = handle(m.Body ?? '');
          if (done !== undefined) await done;
          handled.push(m);
        } catch (e) {
          options.onError?.(e); // not deleted: handed out again after its visibility timeout
        }
      };
      if (options.concurrent) await Promise.all(messages.map(one));
      else for (const m of messages) await one(m);
      remove(handled);
    }
  };

  const loops = Array.from({ length: options.receivers ?? 2 }, loop);
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      await Promise.all([...deletes]);
    },
  };
};
