/**
 * Acknowledgements arrive out of order (effects run concurrently); a checkpoint must never pass a delivery that is
 * not yet acknowledged. `ShardAckTracker` keeps the deliveries of one shard in the order they were handed out and
 * tells the newest position before which everything is acknowledged: the only safe checkpoint (connect's
 * `checkpointLimit` model). Shared by every bus adapter.
 */
import { Fifo } from '../fifo.ts';

/** A position in a shard: record sequence and, for packed records, the message index inside it. */
export interface Position {
  readonly sequence: string;
  readonly subSequence: number;
  /** Whether this is the last message of its record: only then may a checkpoint name the record as done. */
  readonly lastInRecord: boolean;
}

/** A delivery handed out, as {@link ShardAckTracker.handOut} gives it: opaque, for its `ack`. */
export interface Tracked {
  readonly sequence: string;
}

export class ShardAckTracker {
  // Handed-out positions in order, each with its flag in one object (thousands are in flight, each held until
  // acked), trimmed from the front as checkpoints advance. The count of unacknowledged ones is kept, not counted:
  // the reader asks for it once per hand-out, thousands of times per poll.
  private readonly pending = new Fifo<Position & { acked: boolean }>();
  private unacked = 0;
  private safe: Position | undefined;

  /** Records a delivery as handed out; returns a function that acknowledges it (again: no effect). */
  track(pos: Position): () => void {
    const entry = this.handOut(pos);
    return () => this.ack(entry);
  }

  /**
   * `track` without the function: the returned entry, given to {@link ack}, acknowledges the delivery. For a reader
   * that builds its own acknowledgement per delivery (one closure per delivery, not two).
   */
  handOut(pos: Position): Tracked {
    const entry = {
      sequence: pos.sequence,
      subSequence: pos.subSequence,
      lastInRecord: pos.lastInRecord,
      acked: false,
    };
    this.pending.push(entry);
    this.unacked++;
    return entry;
  }

  /** Acknowledges what {@link handOut} returned (again: no effect). */
  ack(tracked: Tracked): void {
    const entry = tracked as Position & { acked: boolean };
    if (entry.acked) return;
    entry.acked = true;
    this.unacked--;
    this.advance();
  }

  /** Deliveries handed out and not yet acknowledged. */
  get inFlight(): number {
    return this.unacked;
  }

  /**
   * The newest record every message of which (and of every record before it) is acknowledged, or undefined if
   * nothing is safe yet. Packed records are checkpointed whole: a half-acknowledged record is redelivered whole.
   */
  get checkpoint(): Position | undefined {
    return this.safe;
  }

  private advance(): void {
    while (this.pending.peek()?.acked) {
      const entry = this.pending.shift()!;
      if (entry.lastInRecord) this.safe = entry;
    }
  }
}
