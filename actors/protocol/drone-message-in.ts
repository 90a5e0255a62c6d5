/**
 * What the `drones` stream accepts: v1 messages as they are, and the seed's plain 3- or 5-field JSON normalised
 * into v1. Consumers decode with {@link DroneMessageIn} (or {@link decodeDroneMessage}) and only ever see v1.
 */
import { createHash } from 'node:crypto';

import { decodeJson, decodeWith, E, pipe, t, withMaxBytes } from '../../runtime/codec.ts';
import type { DecodeFailure } from '../../runtime/errors.ts';
import { isRecord, show, struct } from './codec-kit.ts';
import {
  DRONE_MESSAGE_MAX_BYTES,
  DroneMessage,
  type DroneMessageJson,
  LEGACY_ID_PREFIX,
} from './drone-message.ts';
import {
  Address,
  DroneId,
  Location,
  type MessageId,
  ViolationCode,
  ViolationImageId,
} from './primitives.ts';
import { toUtcTime, type UtcTime } from './time.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/**
 * The seed's message as drones sent it before v1 (no `type`, `v`, `id` or `seq`). Accepted forms:
 * - `droneId`: a string matching {@link DroneId}.
 * - `time`: ISO-8601 with `Z` or an offset (`2026-11-27T19:49:16+01:00`), re-rendered as UTC with milliseconds.
 *   Epoch numbers are rejected: seconds and milliseconds cannot be told apart reliably.
 * - `location`: `{ lat, lon }`, `{ latitude, longitude }`, or the string `"lat,lon"` (spaces allowed). Arrays are
 *   rejected: GeoJSON writes `[lon, lat]`, others `[lat, lon]`.
 * - `violationCode`: 1–99 as a number or a digit string; `violationImageId` and `address`: strings. `null` or
 *   blank means absent; code and image id are both or neither, as in v1.
 */
export interface DroneMessageLegacyInput {
  readonly droneId: string;
  readonly time: string;
  readonly location:
    | string
    | { readonly lat: number; readonly lon: number }
    | { readonly latitude: number; readonly longitude: number };
  readonly violationCode?: number | string | null;
  readonly violationImageId?: string | null;
  readonly address?: string | null;
}

const LegacyTime = new t.Type<UtcTime, string, unknown>(
  'IsoDateTimeWithZone',
  (u): u is UtcTime => typeof u === 'string' && toUtcTime(u) === u,
  (u, c) => {
    const utc = typeof u === 'string' ? toUtcTime(u) : undefined;
    return utc === undefined ? t.failure(u, c) : t.success(utc);
  },
  String,
);

const LatLonText = /^\s*(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$/;

/** Rewrites the accepted location spellings as `{ lat, lon }`; anything else passes through to fail in Location. */
const toLatLon = (u: unknown): unknown => {
  if (typeof u === 'string') {
    const m = LatLonText.exec(u);
    return m === null ? u : { lat: Number(m[1]), lon: Number(m[2]) };
  }
  if (isRecord(u) && !('lat' in u) && 'latitude' in u) return { lat: u.latitude, lon: u.longitude };
  return u;
};

const absentIfBlank = (u: unknown): unknown =>
  u === null || (typeof u === 'string' && u.trim() === '') ? undefined : u;

const LegacyFields = struct(
  'DroneMessageLegacy',
  { droneId: DroneId, time: LegacyTime, location: Location },
  {
    violationCode: ViolationCode,
    violationImageId: ViolationImageId,
    address: Address,
  },
);

/**
 * The seed's legacy JSON, decoded and normalised into a v1 {@link DroneMessage}: `id` is
 * `legacy:<droneId>:<16 hex of SHA-256 over the normalised content>` (deterministic, so a resent legacy message is
 * deduplicated like any other) and `seq` is absent. Encodes as v1.
 *
 * Use through {@link DroneMessageIn}; on its own only to test the normalisation.
 *
 * @example
 * DroneMessageLegacy.decode({ droneId: 'drone-0001', time: '2026-11-27T18:49:16Z', location: '40.7,-74.0' });
 * // right({ type: 'drone.message', v: 1, id: 'legacy:drone-0001:…', droneId, time: '2026-11-27T18:49:16.000Z', … })
 */
export const DroneMessageLegacy = new t.Type<DroneMessage, DroneMessageJson, unknown>(
  'DroneMessageLegacy',
  DroneMessage.is,
  (u, c) => {
    if (!isRecord(u)) return t.failure(u, c, `expected a drone message object, got ${show(u)}`);
    const input = {
      ...u,
      location: toLatLon(u.location),
      violationCode: toCode(absentIfBlank(u.violationCode)),
      violationImageId: absentIfBlank(u.violationImageId),
      address: absentIfBlank(u.address),
    };
    return pipe(
      LegacyFields.validate(input, c),
      E.chain((f) => DroneMessage.validate(toV1(f), c)),
    );
  },
  DroneMessage.encode,
);

/**
 * The codec of the `drones` stream: an object with a `type` key is decoded as v1 ({@link DroneMessage}), one
 * without as the seed's legacy JSON ({@link DroneMessageLegacy}). Either way the result is a v1 `DroneMessage`,
 * and it encodes as v1. (A union by dispatch rather than `t.union`, so each failure lists one codec's issues.)
 * It declares {@link DRONE_MESSAGE_MAX_BYTES}: decoding bytes (the bus, {@link decodeDroneMessageJson}) refuses a
 * larger message before parsing it.
 *
 * @example
 * const drones = topic(cfg.streams.drones, DroneMessageIn, (m) => m.droneId);
 */
export const DroneMessageIn = withMaxBytes(
  new t.Type<DroneMessage, DroneMessageJson, unknown>(
    'DroneMessageIn',
    DroneMessage.is,
    (u, c) => {
      if (!isRecord(u)) return t.failure(u, c, `expected a drone message object, got ${show(u)}`);
      if (!('type' in u)) return DroneMessageLegacy.validate(u, c);
      return fastV1(u) ?? DroneMessage.validate(u, c);
    },
    DroneMessage.encode,
  ),
  DRONE_MESSAGE_MAX_BYTES,
);

/**
 * The common case, decoded without io-ts's machinery: a v1 message whose every field passes its codec's guard
 * (`DroneMessage.is`: for these codecs the guard holds exactly when decoding gives the value back unchanged, but
 * for `-0`, which becomes `0`). The result is then built as `DroneMessage.validate` builds it: known keys only,
 * in its order; anything else (`undefined`) goes through io-ts, so every error reads as before. The storage
 * writer and the alert system decode every message, and io-ts took about 7 µs of the 8 a decode cost
 * (`JSON.parse` the rest). The spec holds the two paths equal on valid and broken messages.
 */
const fastV1 = (u: Readonly<Record<string, unknown>>): t.Validation<DroneMessage> | undefined => {
  if (u.type !== 'drone.message' || !DroneMessage.is(u)) return undefined;
  const m = u;
  const out: Record<string, unknown> = {
    type: m.type,
    v: m.v,
    id: m.id,
    droneId: m.droneId,
    time: m.time,
    location: { lat: m.location.lat + 0, lon: m.location.lon + 0 },
  };
  if (m.seq !== undefined) out.seq = m.seq;
  if (m.violationCode !== undefined) out.violationCode = m.violationCode;
  if (m.violationImageId !== undefined) out.violationImageId = m.violationImageId;
  if (m.address !== undefined) out.address = m.address;
  return t.success(out as DroneMessage);
};

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * Decodes an unknown value (parsed JSON) into a v1 message, with readable issues on failure.
 *
 * @example
 * pipe(decodeDroneMessage(JSON.parse(text)), E.match((f) => f.issues, (m) => m.id));
 */
export const decodeDroneMessage: (u: unknown) => E.Either<DecodeFailure, DroneMessage> = decodeWith(
  DroneMessageIn,
  'drone.message',
);

/** Decodes JSON bytes or text into a v1 message; not-JSON and over 256 KiB are DecodeFailures too. */
export const decodeDroneMessageJson: (
  raw: Uint8Array | string,
) => E.Either<DecodeFailure, DroneMessage> = decodeJson(DroneMessageIn, 'drone.message');

// ---------------------------------------------------------------------------------------------------------------
// utils

const toCode = (u: unknown): unknown =>
  typeof u === 'string' && /^\d{1,2}$/.test(u.trim()) ? Number(u) : u;

interface LegacyDecoded {
  readonly droneId: DroneId;
  readonly time: UtcTime;
  readonly location: Location;
  readonly violationCode?: number;
  readonly violationImageId?: string;
  readonly address?: string;
}

const toV1 = (f: LegacyDecoded): DroneMessageJson => {
  const content = [
    f.droneId,
    f.time,
    f.location.lat,
    f.location.lon,
    f.violationCode ?? null,
    f.violationImageId ?? null,
    f.address ?? null,
  ];
  const hash = createHash('sha256').update(JSON.stringify(content)).digest('hex').slice(0, 16);
  return {
    type: 'drone.message',
    v: 1,
    id: `${LEGACY_ID_PREFIX}${f.droneId}:${hash}` as MessageId,
    droneId: f.droneId,
    time: f.time,
    location: f.location,
    ...(f.violationCode === undefined ? {} : { violationCode: f.violationCode }),
    ...(f.violationImageId === undefined ? {} : { violationImageId: f.violationImageId }),
    ...(f.address === undefined ? {} : { address: f.address }),
  };
};
