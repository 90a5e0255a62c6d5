/**
 * Violation images from S3 (`violation-images/<id>.svg` in the archive bucket, written by the drone simulator).
 * Bodies above `maxBytes` are refused: the console proxies them to browsers and keeps nothing.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

import { portFailure } from '../../runtime/errors.ts';
import { VIOLATION_IMAGE_TYPE, violationImageKey } from '../protocol/violation-image.ts';
import type { ImageSource } from './ports.ts';

/**
 * Creates the source.
 * @example const image = await createS3ImageSource(clients.s3, 'prestacop-archive').get('img-drone-0001-17');
 */
export const createS3ImageSource = (
  s3: S3Client,
  bucket: string,
  maxBytes = 256 * 1024,
): ImageSource => ({
  get: async (imageId) => {
    try {
      const out = await s3.send(
        new GetObjectCommand({ Bucket: bucket, Key: violationImageKey(imageId) }),
      );
      if ((out.ContentLength ?? 0) > maxBytes) return undefined;
      const body = await out.Body?.transformToByteArray();
      if (body === undefined || body.length > maxBytes) return undefined;
      return { body, contentType: VIOLATION_IMAGE_TYPE };
    } catch (e) {
      if (e instanceof Error && (e.name === 'NoSuchKey' || e.name === 'NotFound')) return undefined;
      throw portFailure('s3', e);
    }
  },
});
