import type { RemotingCommand } from './remoting-command.js';

/** One slab holds ~140 send replies; a frame larger than this is encoded the general way. */
const SLAB_BYTES = 32 * 1024;
const NO_SLAB = Buffer.alloc(0);

/**
 * Frames written in place (RemotingCommand.encodeFrameInto) one after the other into a slab, so that
 * a turn's send replies leave as one buffer with no per-frame allocation and no join. Bytes handed
 * out (cut) are never written again: the socket may still hold them, so a full slab is replaced, not
 * reused, and the old one is freed once its writes are done.
 */
export class FrameSlab {
  /** Allocated on the first in-place frame: a client's channels never write one. */
  private buf = NO_SLAB;
  /** Start of the frames not handed out yet. */
  private start = 0;
  private pos = 0;

  /**
   * Writes `cmd`'s frame if it has an in-place form; 0 when it has none (the caller encodes it).
   * A slab without room is first cut into `queue`, keeping the frames in order.
   */
  write(cmd: RemotingCommand, queue: Buffer[]): number {
    const max = cmd.maxFrameLength();
    if (max <= 0 || max > SLAB_BYTES) return 0;
    if (this.buf.length - this.pos < max) {
      this.cut(queue);
      this.buf = Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.start = 0;
      this.pos = 0;
    }
    const end = cmd.encodeFrameInto(this.buf, this.pos);
    const n = end - this.pos;
    this.pos = end;
    return n;
  }

  /** Moves the frames written since the last cut to `queue`. */
  cut(queue: Buffer[]): void {
    if (this.pos === this.start) return;
    queue.push(this.buf.subarray(this.start, this.pos));
    this.start = this.pos;
  }
}
