/**
 * The local state file of an import: which files (by path and identity), how far each is acknowledged (byte offset,
 * line and the counts up to there), and how long the rejects file was then. Written atomically (temporary file,
 * fsync, rename) after acknowledged batches, so a `kill -9` at any moment leaves the previous checkpoint whole, and
 * the next run resumes after it. A missing, unreadable or foreign state file means "start over", never a crash.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

import { E, t } from '../../runtime/codec.ts';
import type { Position } from './csv-records.ts';
import type { Tally } from './tally.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** Enough to tell that the file at a path is still the one a checkpoint was taken in. */
export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  /** SHA-256 of the first 64 KiB (catches a file replaced by a copy with the same size and time). */
  readonly headSha256: string;
}

/** One file of the job and how far it is acknowledged. */
export interface FileCheckpoint {
  /** Absolute path. */
  readonly path: string;
  readonly identity: FileIdentity;
  /** The next unacknowledged record. */
  readonly position: Position;
  readonly done: boolean;
  readonly tally: Tally;
}

/** The state file, v1. */
export interface ImportState {
  readonly v: 1;
  readonly files: ReadonlyArray<FileCheckpoint>;
  /** The rejects file and its length at the checkpoint (a resumed run truncates it back to that). */
  readonly rejects: { readonly path: string; readonly bytes: number };
  readonly savedAt: string;
}

const Count = t.refinement(t.number, (n) => Number.isSafeInteger(n) && n >= 0, 'Count');
const Counts = t.record(t.string, Count);
const ImportStateCodec = t.type({
  v: t.literal(1),
  files: t.array(
    t.type({
      path: t.string,
      identity: t.type({ size: Count, mtimeMs: t.number, headSha256: t.string }),
      position: t.type({ byte: Count, line: Count }),
      done: t.boolean,
      tally: t.type({
        rowsRead: Count,
        accepted: Count,
        rejected: Count,
        published: Count,
        rejectsByReason: Counts,
        findings: Counts,
        findingLines: t.record(t.string, t.array(Count)),
      }),
    }),
  ),
  rejects: t.type({ path: t.string, bytes: Count }),
  savedAt: t.string,
});

/** Reads and writes one state file. */
export interface StateStore {
  /** The saved state, or why there is none usable (`undefined` reason: no file yet). */
  readonly load: () => E.Either<string | undefined, ImportState>;
  readonly save: (state: ImportState) => void;
}

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * A state store on a local file (its folder is created on first save).
 * @example const store = createStateStore('.csv-to-stream/state.json'); store.save(state);
 */
export const createStateStore = (path: string): StateStore => ({
  load: () => {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (e) {
      return E.left((e as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : String(e));
    }
    try {
      const decoded = ImportStateCodec.decode(JSON.parse(text));
      return E.isRight(decoded)
        ? E.right(decoded.right)
        : E.left(`${path} is not a csv-to-stream state file`);
    } catch (e) {
      return E.left(`${path}: ${(e as Error).message}`);
    }
  },
  save: (state) => {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, JSON.stringify(state));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path); // atomic: a reader sees the old state or the new one, never half of it
  },
});

/**
 * The identity of a file now.
 * @example const id = fileIdentity('fy2017.csv');
 */
export const fileIdentity = (path: string): FileIdentity => {
  const stat = statSync(path);
  const head = Buffer.alloc(Math.min(stat.size, 64 * 1024));
  const fd = openSync(path, 'r');
  try {
    readSync(fd, head, 0, head.length, 0);
  } finally {
    closeSync(fd);
  }
  return {
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    headSha256: createHash('sha256').update(head).digest('hex'),
  };
};

/**
 * Whether a saved state is the same job: the same files in the same order, unchanged, and the same rejects file.
 * @example if (sameJob(saved, files, rejectsPath)) resume(saved);
 */
export const sameJob = (
  state: ImportState,
  files: ReadonlyArray<{ readonly path: string; readonly identity: FileIdentity }>,
  rejectsPath: string,
): boolean =>
  state.rejects.path === rejectsPath &&
  state.files.length === files.length &&
  state.files.every(
    (f, i) =>
      f.path === files[i]?.path &&
      f.identity.size === files[i].identity.size &&
      f.identity.mtimeMs === files[i].identity.mtimeMs &&
      f.identity.headSha256 === files[i].identity.headSha256,
  );
