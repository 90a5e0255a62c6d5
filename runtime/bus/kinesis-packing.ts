/**
 * The packed record format: many small messages in one Kinesis record, so a shard's 1,000 records/s limit does not
 * cap a stream of small messages (the KPL's "aggregation", with a simpler, documented format).
 *
 * ```
 * offset  size  field
 * 0       4     magic 0xFF 0x50 0x43 0x4B ("\xFF" "PCK")
 * 4       1     format version (1)
 * 5       1     flags: bit 0 = body gzip-compressed, bit 1 = body zstd-compressed (at most one of the two);
 *               other bits are reserved and must be 0
 * 6       ...   body (compressed as the flags say):
 *                 u32 big-endian  count N (1 <= N <= 10,000)
 *                 N x (u32 big-endian length L >= 2, then L bytes: one message, its JSON as published)
 * ```
 *
 * Why this magic: 0xFF never occurs in UTF-8, so no JSON text (a plain record) starts with it; a consumer tells a
 * packed record from a plain one by its first four bytes, and plain records stay readable by any tool. A record
 * that starts with the magic but does not parse is reported as corrupt (a decode failure), never thrown.
 *
 * Compatibility: a reader refuses unknown flags, so a reader older than the zstd flag (bit 1) dead-letters a zstd
 * record as corrupt ("unknown flags 2"). Deploy the consumers of a stream before a producer that writes zstd
 * (`ansible/redeploy.yml` does, in that order).
 *
 * Limits ({@link PACK_LIMITS}): the producer fills records up to them and the reader refuses a record over any of
 * them, as one corrupt record: a body of at most 1 MiB once unpacked (gunzip and zstd stop there; a zstd frame
 * that asks for a window over 1 MiB is refused before decoding), at most 10,000 messages (the count is checked
 * against the limit and against what the body can hold before any message is cut out), and no message shorter
 * than 2 bytes. A 4 KB gzip body can declare a million empty messages: without these limits, reading it took
 * 584 MB of heap and 24 s.
 */
import { promisify } from 'node:util';
// A namespace import: zstd arrived in Node 22.15/23.8, and a named import of it would fail at link time on an older
// Node, before the entry point's version check can say why (runtime/node-version.ts).
import * as zlib from 'node:zlib';

import { t } from '../codec.ts';

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);
const zstdCompress = promisify(zlib.zstdCompress);
const zstdDecompress = promisify(zlib.zstdDecompress);
const zlibConstants = zlib.constants;

/** The first four bytes of every packed record. */
export const PACK_MAGIC = Buffer.from([0xff, 0x50, 0x43, 0x4b]);
/** The format version this code writes and reads. */
export const PACK_VERSION = 1;
const HEADER_BYTES = 6;
const FLAG_GZIP = 1;
const FLAG_ZSTD = 2;
/** A zstd window of 2^20 bytes holds a whole body (at most 1 MiB): a frame asking for more is refused unread. */
const ZSTD_WINDOW_LOG_MAX = 20;

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

/** How a packed body is compressed: not at all, or gzip or zstd at a level (see {@link COMPRESSION_LEVELS}). */
export type Compression =
  { readonly codec: 'none' } | { readonly codec: 'gzip' | 'zstd'; readonly level: number };

/** The levels each codec takes: zlib's 1-9 for gzip, zstd's regular 1-19 (20-22 need large windows). */
export const COMPRESSION_LEVELS = { gzip: { min: 1, max: 9 }, zstd: { min: 1, max: 19 } } as const;

/** No compression. */
export const NO_COMPRESSION: Compression = { codec: 'none' };

/** Why a compression is not one the format takes, or undefined when it is. */
export const compressionProblem = (c: Compression): string | undefined => {
  if (c.codec === 'none') return undefined;
  const { min, max } = COMPRESSION_LEVELS[c.codec];
  return Number.isInteger(c.level) && c.level >= min && c.level <= max
    ? undefined
    : `${c.codec} takes a level from ${min} to ${max} (got ${String(c.level)})`;
};

/** `none`, `gzip:3`, `zstd:6`: the form options take. */
export const showCompression = (c: Compression): string =>
  c.codec === 'none' ? 'none' : `${c.codec}:${c.level}`;

/**
 * Reads `none`, `gzip:N` (1-9) or `zstd:N` (1-19); a string saying what is wrong otherwise.
 * @example parseCompression('zstd:3') // { codec: 'zstd', level: 3 }
 */
export const parseCompression = (s: string): Compression | string => {
  const m = /^(none|gzip|zstd)(?::(\d{1,2}))?$/.exec(s.trim().toLowerCase());
  const expected = `expected none, gzip:1..9 or zstd:1..19, got ${JSON.stringify(s)}`;
  if (m === null) return expected;
  if (m[1] === 'none') return m[2] === undefined ? NO_COMPRESSION : expected;
  if (m[2] === undefined) return expected;
  const c: Compression = { codec: m[1] as 'gzip' | 'zstd', level: Number(m[2]) };
  return compressionProblem(c) === undefined ? c : expected;
};

/** The option codec: a {@link Compression} from its string form (`none`, `gzip:3`, `zstd:6`). */
export const CompressionOption = new t.Type<Compression, string, unknown>(
  'Compression',
  (u): u is Compression =>
    typeof u === 'object' &&
    u !== null &&
    ['none', 'gzip', 'zstd'].includes((u as Compression).codec) &&
    compressionProblem(u as Compression) === undefined,
  (u, c) => {
    if (typeof u !== 'string') return t.failure(u, c, 'expected none, gzip:N or zstd:N');
    const parsed = parseCompression(u);
    return typeof parsed === 'string' ? t.failure(u, c, parsed) : t.success(parsed);
  },
  showCompression,
);

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

/** The compressed body and its flag, or undefined when compressing does not make it smaller. */
const compress = async (
  body: Buffer,
  c: Compression,
): Promise<{ flag: number; data: Buffer } | undefined> => {
  if (c.codec === 'none') return undefined;
  const data =
    c.codec === 'gzip'
      ? await gzip(body, { level: c.level })
      : await zstdCompress(body, {
          params: { [zlibConstants.ZSTD_c_compressionLevel]: c.level },
          // The frame then records the body's size and a window no larger than it (within the reader's limit).
          pledgedSrcSize: body.length,
        });
  return data.length < body.length
    ? { flag: c.codec === 'gzip' ? FLAG_GZIP : FLAG_ZSTD, data }
    : undefined;
};

/**
 * Encodes messages into one packed record. With a compression, the body is compressed, unless compression would
 * make it larger (then it is stored plain, so the size never exceeds {@link packedSize}).
 * @example const record = await packRecord([a, b, c], { codec: 'zstd', level: 3 });
 */
export const packRecord = async (
  messages: ReadonlyArray<Uint8Array>,
  compression: Compression = NO_COMPRESSION,
): Promise<Buffer> => {
  if (messages.length === 0) throw new Error('packRecord needs at least one message');
  // Never write what a reader refuses: the producer keeps to the limits, this only guards against a bug.
  if (messages.length > PACK_LIMITS.maxMessages)
    throw new Error(`packRecord takes at most ${PACK_LIMITS.maxMessages} messages`);
  if (messages.some((m) => m.length < PACK_LIMITS.minMessageBytes))
    throw new Error(`packRecord takes messages of ${PACK_LIMITS.minMessageBytes} bytes or more`);
  const problem = compressionProblem(compression);
  if (problem !== undefined) throw new Error(`packRecord: ${problem}`);
  const body = encodeBody(messages);
  const compressed = await compress(body, compression);
  return compressed
    ? Buffer.concat([header(compressed.flag), compressed.data])
    : Buffer.concat([header(0), body]);
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

/** Unpacks a compressed body, stopping one byte past the limit: a bomb never costs more than one record's memory. */
const decompress = async (
  body: Buffer,
  codec: 'gzip' | 'zstd',
): Promise<{ body: Buffer } | { corrupt: Unpacked }> => {
  const maxOutputLength = PACK_LIMITS.maxBodyBytes;
  try {
    return {
      body:
        codec === 'gzip'
          ? await gunzip(body, { maxOutputLength })
          : await zstdDecompress(body, {
              maxOutputLength,
              params: { [zlibConstants.ZSTD_d_windowLogMax]: ZSTD_WINDOW_LOG_MAX },
            }),
    };
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      return { corrupt: corrupt(`body unpacks to over the ${maxOutputLength}-byte limit`) };
    if (code === 'ZSTD_error_frameParameter_windowTooLarge')
      return {
        corrupt: corrupt(`zstd frame asks for a window over ${2 ** ZSTD_WINDOW_LOG_MAX} bytes`),
      };
    return { corrupt: corrupt(`bad ${codec} body (${(e as Error).message})`) };
  }
};

/**
 * Splits a record into its messages. Never throws: a plain record is one message; a packed record with an unknown
 * version, unknown flags (or both compression flags), a bad gzip or zstd body, inconsistent lengths or anything
 * over {@link PACK_LIMITS} is `corrupt` (the consumer hands it out as one undecodable delivery, so it is
 * dead-lettered with its bytes and the reason).
 * @example const u = await unpackRecord(record.Data); if (u.kind !== 'corrupt') u.messages.forEach(deliver);
 */
export const unpackRecord = async (data: Uint8Array): Promise<Unpacked> => {
  if (!isPacked(data)) return { kind: 'plain', messages: [data] };
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const version = buf[4]!;
  const flags = buf[5]!;
  if (version !== PACK_VERSION)
    return { kind: 'corrupt', reason: `packed record: unknown version ${version}` };
  if ((flags & ~(FLAG_GZIP | FLAG_ZSTD)) !== 0)
    return { kind: 'corrupt', reason: `packed record: unknown flags ${flags}` };
  if (flags === (FLAG_GZIP | FLAG_ZSTD)) return corrupt('both the gzip and the zstd flag are set');
  const body = buf.subarray(HEADER_BYTES);
  if (flags === 0) return parseBody(body);
  const unpacked = await decompress(body, flags === FLAG_GZIP ? 'gzip' : 'zstd');
  return 'corrupt' in unpacked ? unpacked.corrupt : parseBody(unpacked.body);
};
