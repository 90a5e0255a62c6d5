/**
 * Where a violation image lives: the drone simulator stores one small SVG per image id of a message that needs a
 * human, in the archive bucket under `violation-images/`; the operator console reads it back by the same key.
 */

/** The folder of violation images in the archive bucket. */
export const VIOLATION_IMAGE_PREFIX = 'violation-images/';

/** The content type images are stored and served with. */
export const VIOLATION_IMAGE_TYPE = 'image/svg+xml';

/**
 * The S3 key of an image id: URI-encoded, so any id (the codec allows any non-blank string) is one key segment.
 * @example violationImageKey('img-drone-0001-17') // 'violation-images/img-drone-0001-17.svg'
 */
export const violationImageKey = (imageId: string): string =>
  `${VIOLATION_IMAGE_PREFIX}${encodeURIComponent(imageId)}.svg`;
