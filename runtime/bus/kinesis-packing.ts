/**
 * The packed record format: many small messages in one Kinesis record, so a shard's 1,000 records/s limit does not
 * cap a stream of small messages (the KPL's "aggregation", with a simpler, documented format).
 *
 * ```
 * offset  size  field
 * 0       4     magic 0xFF 0x50 0x43 0x4B ("\xFF" "PCK")
 * 4       1     format version (1)
 * 5       1     flags: bit 0 = body gzip-compressed; other bits are reserved and must be 0
 * 6       ...   body (gzip-compressed when bit 0 is set):
 *                 u32 big-endian  count N (1 <= N <= 10,000)
 *                 N x (u32 big-endian length L >= 2, then L bytes: one message, its JSON as published)
 * ```
 *
 * Why this magic: 0xFF never occurs in UTF-8, so no JSON text (a plain record) starts with it; a consumer tells a
 * packed record from a plain one by its first four bytes, and plain records stay readable by any tool. A record
 * that starts with the magic but does not parse is reported as corrupt (a decode failure), never thrown.
 *
 * Limits ({@link PACK_LIMITS}): the producer fills records up to them and the reader refuses a record over any of
 * them, as one corrupt record: a body of at most 1 MiB once unpacked (gunzip stops there), at most 10,000 messages
 * (the count is checked against the limit and against what the body can hold before any message is cut out), and
 * no message shorter than 2 bytes. A 4 KB gzip body can declare a million empty messages: without these limits,
 * reading it took 584 MB of heap and 24 s.
 */
import { promisify } from 'node:util';
import { gunzip as gunzipCb, gzip as gzipCb } from 'node:zlib';

const gzip = promisify(gzipCb);
const gunzip = promisify(gunzipCb);

/** The first four bytes of every packed record. */
export const PACK_MAGIC = Buffer.from([0xff, 0x50, 0x43, 0x4b]);
/** The format version this code writes and reads. */
export const PACK_VERSION = 1;
const HEADER_BYTES = 6;
const FLAG_GZIP = 1;

/** A record's data plus its partition key may not exceed 1 MiB (Kinesis' limit). */
export const RECORD_MAX_BYTES = 1024 * 1024;

/**
 * The limits of a packed record, one set for both ends: the producer packs up to them (its options can only lower
 * them) and the reader refuses a record over any of them, so a hostile record costs at most one record's worth of
 * memory and is one dead letter.
 */
export const PACK_LIMITS = {
  /** Largest body once unpacked: what fits in one Kinesis record after the header. */
  maxBodyBytes: RECORD_MAX_BYTES - HEADER_BYTES,
  /** Most messages in one record. */
  maxMessages: 10_000,
  /** Shortest message: `{}`, the shortest JSON object (every message on the bus is one); empty ones are refused. */
  minMessageBytes: 2,
} as const;

/** What a record held: one plain message, the messages of a packed record, or bytes that claim to be packed but are not. */
export type Unpacked =
  | { readonly kind: 'plain'; readonly messages: ReadonlyArray<Uint8Array> }
  | { readonly kind: 'packed'; readonly messages: ReadonlyArray<Uint8Array> }
  | { readonly kind: 'corrupt'; readonly reason: string };

/** Whether a record starts with the packed-record magic. */
export const isPacked = (data: Uint8Array): boolean =>
  data.length >= HEADER_BYTES &&
  data[0] === PACK_MAGIC[0] &&
  data[1] === PACK_MAGIC[1] &&
  data[2] === PACK_MAGIC[2] &&
  data[3] === PACK_MAGIC[3];

/**
 * Size in bytes of the packed record (uncompressed) holding messages of `payloadBytes` bytes in total. The producer
 * uses it to fill a record up to its limit before encoding anything.
 */
export const packedSize = (count: number, payloadBytes: number): number =>
  HEADER_BYTES + 4 + count * 4 + payloadBytes;

/** Extra bytes one more message adds to a packed record. */
export const PER_MESSAGE_OVERHEAD = 4;

const encodeBody = (messages: ReadonlyArray<Uint8Array>): Buffer => {
  const total = messages.reduce((n, m) => n + 4 + m.length, 4);
  const body = Buffer.allocUnsafe(total);
  body.writeUInt32BE(messages.length, 0);
  let at = 4;
  for (const m of messages) {
    body.writeUInt32BE(m.length, at);
    body.set(m, at + 4);
    at += 4 + m.length;
  }
  return body;
};

const header = (flags: number): Buffer =>
  Buffer.concat([PACK_MAGIC, Buffer.from([PACK_VERSION, flags])]);

/**
 * Encodes messages into one packed record. With `gzip`, the body is compressed, unless compression would make it
 * larger (then it is stored plain, so the size never exceeds {@link packedSize}).
 * @example const record = await packRecord([a, b, c], { gzip: true });
 */
export const packRecord = async (
  messages: ReadonlyArray<Uint8Array>,
  options: { readonly gzip?: boolean; readonly level?: number } = {},
): Promise<Buffer> => {
  if (messages.length === 0) throw new Error('packRecord needs at least one message');
  // Never write what a reader refuses: the producer keeps to the limits, this only guards against a bug.
  if (messages.length > PACK_LIMITS.maxMessages)
    throw new Error(`packRecord takes at most ${PACK_LIMITS.maxMessages} messages`);
  if (messages.some((m) => m.length < PACK_LIMITS.minMessageBytes))
    throw new Error(`packRecord takes messages of ${PACK_LIMITS.minMessageBytes} bytes or more`);
  const body = encodeBody(messages);
  if (options.gzip) {
    const zipped = await gzip(body, { level: options.level ?? 6 });
    if (zipped.length < body.length) return Buffer.concat([header(FLAG_GZIP), zipped]);
  }
  return Buffer.concat([header(0), body]);
};

const corrupt = (reason: string): Unpacked => ({
  kind: 'corrupt',
  reason: `packed record: ${reason}`,
});

const parseBody = (body: Buffer): Unpacked => {
  const { maxBodyBytes, maxMessages, minMessageBytes } = PACK_LIMITS;
  if (body.length > maxBodyBytes)
    return corrupt(`body of ${body.length} bytes, over the ${maxBodyBytes}-byte limit`);
  if (body.length < 4) return corrupt('body shorter than its count');
  const count = body.readUInt32BE(0);
  if (count === 0) return corrupt('zero messages');
  // Checked before a single message is cut out: the count alone must not make the reader allocate.
  if (count > maxMessages)
    return corrupt(`declares ${count} messages, over the ${maxMessages}-message limit`);
  if (4 + count * (4 + minMessageBytes) > body.length)
    return corrupt(`declares ${count} messages, more than its ${body.length} bytes can hold`);
  const messages: Uint8Array[] = [];
  let at = 4;
  for (let i = 0; i < count; i++) {
    if (at + 4 > body.length)
      return { kind: 'corrupt', reason: `packed record: truncated at message ${i} of ${count}` };
    const len = body.readUInt32BE(at);
    if (len < minMessageBytes)
      return corrupt(`message ${i} is ${len} bytes, under the ${minMessageBytes}-byte minimum`);
    if (at + 4 + len > body.length)
      return { kind: 'corrupt', reason: `packed record: message ${i} overruns the record` };
    messages.push(body.subarray(at + 4, at + 4 + len));
    at += 4 + len;
  }
  if (at !== body.length)
    return { kind: 'corrupt', reason: `packed record: ${body.length - at} trailing bytes` };
  return { kind: 'packed', messages };
};

/**
 * Splits a record into its messages. Never throws: a plain record is one message; a packed record with an unknown
 * version, unknown flags, a bad gzip body, inconsistent lengths or anything over {@link PACK_LIMITS} is `corrupt`
 * (the consumer hands it out as one undecodable delivery, so it is dead-lettered with its bytes and the reason).
 * @example const u = await unpackRecord(record.Data); if (u.kind !== 'corrupt') u.messages.forEach(deliver);
 */
export const unpackRecord = async (data: Uint8Array): Promise<Unpacked> => {
  if (!isPacked(data)) return { kind: 'plain', messages: [data] };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const version = buf[4]!;
  const flags = buf[5]!;
  if (version !== PACK_VERSION)
    return { kind: 'corrupt', reason: `packed record: unknown version ${version}` };
  if ((flags & ~FLAG_GZIP) !== 0)
    return { kind: 'corrupt', reason: `packed record: unknown flags ${flags}` };
  let body = buf.subarray(HEADER_BYTES);
  if (flags & FLAG_GZIP) {
    try {
      // gunzip stops one byte past the limit: a bomb never costs more than one record's worth of memory.
      body = await gunzip(body, { maxOutputLength: PACK_LIMITS.maxBodyBytes });
    } catch (e) {
      if ((e as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE')
        return corrupt(`body unpacks to over the ${PACK_LIMITS.maxBodyBytes}-byte limit`);
      return corrupt(`bad gzip body (${(e as Error).message})`);
    }
  }
  return parseBody(body);
};
