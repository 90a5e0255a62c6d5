/**
 * The simulated camera: a small SVG (about 700 bytes) drawn deterministically from the image id, so the same id
 * always gives the same picture and nothing random is stored. A coloured car on a kerb, a hydrant or lane mark,
 * and the id printed underneath (XML-escaped). `storeImages` writes it for the messages that need a human.
 */
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { portFailure } from '../../runtime/errors.ts';
import { VIOLATION_IMAGE_TYPE, violationImageKey } from '../protocol/violation-image.ts';

/** Where images go. Rejects with a `PortFailure`. */
export interface ImageStore {
  readonly put: (imageId: string, svg: string) => Promise<void>;
}

/** FNV-1a, 32 bits: a stable hash of the id. */
const fnv1a = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
};

const escapeXml = (s: string): string =>
  s.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] ?? c,
  );

/**
 * The picture of an image id.
 * @example violationImageSvg('img-drone-0001-17').startsWith('<svg') // true
 */
export const violationImageSvg = (imageId: string): string => {
  const h = fnv1a(imageId);
  const hue = h % 360;
  const x = 30 + ((h >>> 9) % 60);
  const hydrant = (h >>> 17) % 2 === 0;
  const label = escapeXml(imageId.length > 28 ? `${imageId.slice(0, 27)}…` : imageId);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="240" height="150" viewBox="0 0 240 150">` +
    `<rect width="240" height="150" fill="#3b3f45"/>` +
    `<rect y="96" width="240" height="22" fill="#8c8f94"/>` +
    `<path d="M0 60h240" stroke="#e8c547" stroke-width="3" stroke-dasharray="14 10"/>` +
    (hydrant
      ? `<rect x="${x + 100}" y="84" width="10" height="16" rx="2" fill="#d33"/>`
      : `<path d="M0 88h240" stroke="#fff" stroke-width="4"/>`) +
    `<rect x="${x}" y="66" width="96" height="26" rx="6" fill="hsl(${hue},65%,50%)"/>` +
    `<rect x="${x + 18}" y="52" width="56" height="18" rx="5" fill="hsl(${hue},55%,40%)"/>` +
    `<circle cx="${x + 20}" cy="94" r="8" fill="#111"/><circle cx="${x + 76}" cy="94" r="8" fill="#111"/>` +
    `<rect x="${x + 36}" y="80" width="24" height="8" fill="#f4f4f4"/>` +
    `<text x="120" y="138" font-family="monospace" font-size="11" fill="#f4f4f4" text-anchor="middle">${label}</text>` +
    `</svg>`
  );
};

/**
 * The S3 image store (key `violation-images/<id>.svg` in the archive bucket).
 * @example await createS3ImageStore(clients.s3, 'prestacop-archive').put(id, violationImageSvg(id));
 */
export const createS3ImageStore = (s3: S3Client, bucket: string): ImageStore => ({
  put: async (imageId, svg) => {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: violationImageKey(imageId),
          Body: svg,
          ContentType: VIOLATION_IMAGE_TYPE,
        }),
      );
    } catch (e) {
      throw portFailure('s3', e);
    }
  },
});
