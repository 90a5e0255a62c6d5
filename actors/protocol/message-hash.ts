/**
 * What a message says, as a number: the SHA-256 of its canonical JSON. Two deliveries of one id with one hash are
 * the same message (a redelivery); one id with two hashes is a conflict (a reused or forged id), which no store
 * resolves by overwriting.
 */
import { hash } from 'node:crypto';

import { t } from '../../runtime/codec.ts';
import { sortSmall } from '../../runtime/sort-small.ts';
import { refine } from './codec-kit.ts';
import { DroneMessage, type DroneMessageJson } from './drone-message.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A SHA-256 digest as 64 lowercase hex digits. */
export const Sha256Hex = refine(t.string, (s) => /^[0-9a-f]{64}$/.test(s), 'Sha256Hex');

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * JSON with object keys sorted at every level, no spaces: one text per value, whatever the order its keys were
 * set in (a decoded message and one built by hand give the same text).
 *
 * @example
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 */
export const canonicalJson = (u: unknown): string => canonical(u) ?? 'undefined';

// An array index as a property key ("0", "7", not "07" or "-1"): JS objects list these first, in numeric order.
// Most keys start with a letter: only a key starting with a digit is tried against the pattern.
const isIndex = (k: string) => {
  const first = k.charCodeAt(0);
  return first >= 48 && first <= 57 && /^(0|[1-9]\d{0,9})$/.test(k) && Number(k) < 2 ** 32 - 1;
};
const keyOrder = (a: string, b: string): number => {
  const ia = isIndex(a);
  const ib = isIndex(b);
  if (ia || ib) return ia && ib ? Number(a) - Number(b) : ia ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
};

// Written out rather than as a JSON.stringify replacer that rebuilds every object sorted (the storage writer hashes
// every message: that was its costliest step after decoding). The same text as that replacer gives, key for key:
// the spec holds the two equal on any JSON value.
const canonical = (u: unknown): string | undefined => {
  if (typeof u !== 'object' || u === null) return JSON.stringify(u);
  const v: unknown =
    typeof (u as { toJSON?: unknown }).toJSON === 'function'
      ? (u as { toJSON: () => unknown }).toJSON()
      : u;
  if (v !== u) return canonical(v);
  if (Array.isArray(v)) return `[${v.map((x) => canonical(x) ?? 'null').join(',')}]`;
  const keys = Object.keys(v);
  sortSmall(keys, keyOrder);
  let text = '';
  for (const k of keys) {
    const member = canonical((v as Record<string, unknown>)[k]);
    if (member !== undefined) text += `${text === '' ? '' : ','}${JSON.stringify(k)}:${member}`;
  }
  return `{${text}}`;
};

/**
 * The SHA-256 (hex) of a drone message as the codec re-encodes it ({@link canonicalJson} of `DroneMessage.encode`):
 * spelling that decoding normalises (legacy JSON, unknown keys, key order, `-0`, stripped control characters)
 * does not change it; any field that decoding keeps does. Stored with the hot-table item and the alarm.
 *
 * @example
 * messageHash(m) === messageHash(redelivered) // a redelivery, not a conflict
 */
export const messageHash = (m: DroneMessage): string => encodedMessageHash(DroneMessage.encode(m));

/**
 * {@link messageHash} of a message already encoded (`DroneMessage.encode(m)`), for a caller that encodes it anyway.
 * @example encodedMessageHash(DroneMessage.encode(m)) === messageHash(m)
 */
export const encodedMessageHash = (encoded: DroneMessageJson): string =>
  hash('sha256', canonicalJson(encoded), 'hex');
