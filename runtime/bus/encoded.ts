/**
 * Messages encoded ahead of publishing, for {@link Bus.publishEncoded}: a producer that turns many messages into
 * bytes away from the publish call (an importer, a batch of rows at a time) hands the bus bytes it can trust.
 * Only this module makes an {@link Encoded} value, from an {@link Encoding}: the codec's own
 * ({@link codecEncoding}, what `publish` does) or a fast one that skips io-ts ({@link fastEncoding}), which its
 * owner proves equal to the codec's with a property test ({@link sameBytes}) and which the builder spot-checks
 * once per batch.
 */
import { encodeJson, type t } from '../codec.ts';
import type { RawRecord, Topic } from './bus.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

declare const encodedAs: unique symbol;

/** One message of type `A` as the bytes the bus carries, and its partition key. */
export type Encoded<A> = RawRecord & { readonly [encodedAs]: A };

/**
 * Messages of type `A` as one buffer of their bytes, one after the other: plain data and one transferable buffer,
 * cheap to build and to hand around. {@link encodedRecords} gives its messages.
 */
export interface EncodedBatch<A> {
  /** Every message's bytes, concatenated. */
  readonly json: Uint8Array;
  /** Where message i ends in `json` (it starts where message i − 1 ends, the first at 0). */
  readonly ends: Uint32Array;
  /** Message i's partition key. */
  readonly keys: ReadonlyArray<string>;
  readonly [encodedAs]: A;
}

/** How messages of type `A` become bus bytes: the topic's codec and key, and the JSON text of one message. */
export interface Encoding<A> extends Pick<Topic<A>, 'codec' | 'partitionKey'> {
  readonly text: (a: A) => string;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/** The codec's encoding, as `publish` does it (io-ts's key-by-key encode, then JSON). */
export const codecEncoding = <A>(topic: Pick<Topic<A>, 'codec' | 'partitionKey'>): Encoding<A> => ({
  codec: topic.codec,
  partitionKey: topic.partitionKey,
  text: (a) => JSON.stringify(topic.codec.encode(a)),
});

/**
 * An encoding that skips io-ts, for a hot path: `text(a)` must give the bytes of `JSON.stringify(codec.encode(a))`
 * for every `a`. Prove it with a property test over the type's arbitrary ({@link sameBytes}); the batch builder also
 * checks each batch's first message against the codec, so a drift fails the first batch rather than the consumers.
 * @example const orders = fastEncoding(Order, (o) => o.orderId, (o) => JSON.stringify(o));
 */
export const fastEncoding = <A>(
  codec: t.Type<A, unknown, unknown>,
  partitionKey: (a: A) => string,
  text: (a: A) => string,
): Encoding<A> => ({ codec, partitionKey, text });

/** Thrown by {@link encodedBatch} when a fast encoding's bytes are not the codec's: a defect, not bad input. */
export class EncodingMismatch extends Error {
  constructor(
    readonly fast: string,
    readonly codec: string,
  ) {
    super(
      `fast encoding differs from the codec's: ${fast.slice(0, 200)} vs ${codec.slice(0, 200)}`,
    );
  }
}

/**
 * Builds a batch message by message, keeping only each message's text: `add` costs `text(a)` and `partitionKey(a)`;
 * `done` encodes the texts as one UTF-8 buffer. The first message's text is checked against the codec (one io-ts
 * encode per batch); a difference throws {@link EncodingMismatch}.
 * @example
 * const b = encodedBatch(orders); for (const o of rows) b.add(o); await bus.publishEncoded(topic, encodedRecords(b.done()));
 */
export const encodedBatch = <A>(
  encoding: Encoding<A>,
): { readonly add: (a: A) => void; readonly done: () => EncodedBatch<A> } => {
  const texts: string[] = [];
  const keys: string[] = [];
  return {
    add: (a) => {
      const text = encoding.text(a);
      if (texts.length === 0) {
        const codec = JSON.stringify(encoding.codec.encode(a));
        if (text !== codec) throw new EncodingMismatch(text, codec);
      }
      texts.push(text);
      keys.push(encoding.partitionKey(a));
    },
    done: () => {
      const joined = texts.join('');
      const json = encoder.encode(joined);
      const ascii = json.length === joined.length; // then every message's bytes are its characters
      const ends = new Uint32Array(texts.length);
      let at = 0;
      for (const [i, text] of texts.entries()) {
        at += ascii ? text.length : Buffer.byteLength(text, 'utf8');
        ends[i] = at;
      }
      return { json, ends, keys } as unknown as EncodedBatch<A>;
    },
  };
};

const encoder = new TextEncoder();

// ---------------------------------------------------------------------------------------------------------------
// destructors

/**
 * Message i's bytes, a view into the batch's buffer.
 * @example const first = JSON.parse(Buffer.from(encodedAt(batch, 0)).toString());
 */
export const encodedAt = <A>(batch: EncodedBatch<A>, i: number): Uint8Array =>
  batch.json.subarray(i === 0 ? 0 : batch.ends[i - 1], batch.ends[i]);

/** The batch's messages for {@link Bus.publishEncoded}: a view of the batch's buffer each, with its key. */
export const encodedRecords = <A>(batch: EncodedBatch<A>): Encoded<A>[] =>
  batch.keys.map((partitionKey, i) => ({ partitionKey, data: encodedAt(batch, i) }) as Encoded<A>);

/**
 * Whether an encoding gives, for `messages`, the bytes and keys `publish` would: the property a fast encoding's
 * test asserts for arbitrary messages.
 * @example fc.assert(fc.property(fc.array(arbOrder), (os) => sameBytes(orders, os)));
 */
export const sameBytes = <A>(encoding: Encoding<A>, messages: ReadonlyArray<A>): boolean => {
  const b = encodedBatch(encoding);
  try {
    for (const m of messages) b.add(m);
  } catch (e) {
    if (e instanceof EncodingMismatch) return false;
    throw e;
  }
  const records = encodedRecords(b.done());
  return messages.every(
    (m, i) =>
      Buffer.from(records[i]!.data).equals(encodeJson(encoding.codec, m)) &&
      records[i]!.partitionKey === encoding.partitionKey(m),
  );
};
