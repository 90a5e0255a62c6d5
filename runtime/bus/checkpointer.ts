/**
 * Acknowledgements arrive out of order (effects run concurrently); a checkpoint must never pass a delivery that is
 * not yet acknowledged. `ShardAckTracker` keeps the deliveries of one shard in the order they were handed out and
 * tells the newest position before which everything is acknowledged: the only safe checkpoint (connect's
 * `checkpointLimit` model). Shared by every bus adapter.
 */

/** A position in a shard: record sequence and, for packed records, the message index inside it. */
export interface Position {
  readonly sequence: string;
  readonly subSequence: number;
  /** Whether this is the last message of its record: only then may a checkpoint name the record as done. */
  readonly lastInRecord: boolean;
}

export class ShardAckTracker {
  // Handed-out positions in order; `acked` flags parallel to it. Trimmed from the front as checkpoints advance.
  private readonly pending: Array<{ pos: Position; acked: boolean }> = [];
  private safe: Position | undefined;

  /** Records a delivery as handed out; returns a function that acknowledges it. */
  track(pos: Position): () => void {
    const entry = { pos, acked: false };
    this.pending.push(entry);
    return () => {
      entry.acked = true;
      this.advance();
    };
  }

  /** Deliveries handed out and not yet acknowledged. */
  get inFlight(): number {
    let n = 0;
    for (const e of this.pending) if (!e.acked) n++;
    return n;
  }

  /**
   * The newest record every message of which (and of every record before it) is acknowledged, or undefined if
   * nothing is safe yet. Packed records are checkpointed whole: a half-acknowledged record is redelivered whole.
   */
  get checkpoint(): Position | undefined {
    return this.safe;
  }

  private advance(): void {
    while (this.pending.length > 0 && this.pending[0]!.acked) {
      const head = this.pending.shift()!;
      if (head.pos.lastInRecord) this.safe = head.pos;
    }
  }
}
