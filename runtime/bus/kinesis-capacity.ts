/**
 * Bounded producer memory: a message is admitted into the producer's buffer only when there is room, and
 * `publish()` waits (in arrival order) otherwise. This is the producer's backpressure: a fast publisher slows down
 * to the stream's pace instead of growing the heap.
 */

/** Room for buffered messages, counted in messages and in bytes. */
export class Capacity {
  private bytes = 0;
  private messages = 0;
  private readonly waiters: Array<{ bytes: number; go: () => void }> = [];

  constructor(
    private readonly maxBytes: number,
    private readonly maxMessages: number,
  ) {}

  /** Takes room for one message now if there is some (and nobody is waiting ahead); false otherwise. */
  tryAcquire(bytes: number): boolean {
    if (this.waiters.length > 0 || !this.fits(bytes)) return false;
    this.take(bytes);
    return true;
  }

  /** Takes room for one message, waiting for it in FIFO order. */
  acquire(bytes: number): Promise<void> {
    if (this.tryAcquire(bytes)) return Promise.resolve();
    return new Promise((go) => this.waiters.push({ bytes, go }));
  }

  /** Gives back the room of `count` messages totalling `bytes`, and lets waiters in. */
  release(bytes: number, count: number): void {
    this.bytes -= bytes;
    this.messages -= count;
    while (this.waiters.length > 0 && this.fits(this.waiters[0]!.bytes)) {
      const w = this.waiters.shift()!;
      this.take(w.bytes);
      w.go();
    }
  }

  /** Messages and bytes in the buffer now. */
  get used(): { readonly bytes: number; readonly messages: number } {
    return { bytes: this.bytes, messages: this.messages };
  }

  // An empty buffer admits any message, so one larger than maxBytes cannot wait for ever.
  private fits(bytes: number): boolean {
    if (this.messages === 0) return true;
    return this.bytes + bytes <= this.maxBytes && this.messages + 1 <= this.maxMessages;
  }

  private take(bytes: number): void {
    this.bytes += bytes;
    this.messages += 1;
  }
}

/** One publish() call: resolves when all its messages are accepted, rejects on the first one given up. */
export class Ticket {
  readonly done: Promise<void>;
  private remaining: number;
  private finished = false;
  private resolveFn!: () => void;
  private rejectFn!: (e: unknown) => void;

  constructor(count: number) {
    this.remaining = count;
    this.done = new Promise<void>((resolve, reject) => {
      this.resolveFn = resolve;
      this.rejectFn = reject;
    });
    if (count === 0) this.settle();
  }

  /** Whether the publish has already resolved or rejected. */
  get settled(): boolean {
    return this.finished;
  }

  /** One message accepted by the stream. */
  accepted(): void {
    if (--this.remaining === 0) this.settle();
  }

  /** A message was given up: the publish rejects (its other messages may still be written). */
  failed(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    this.rejectFn(error);
  }

  private settle(): void {
    if (this.finished) return;
    this.finished = true;
    this.resolveFn();
  }
}
