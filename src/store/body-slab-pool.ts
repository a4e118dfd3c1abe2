/**
 * Pull bodies are carved one after another out of 1 MiB slabs instead of one ArrayBuffer each: a
 * 32-message body is ~33 KiB, past Node's buffer pool, and at 7,000 pulls a second the garbage
 * collector's work for that many backing stores was a tenth of the broker's time while consuming.
 *
 * A slab is handed out again once every body carved from it has been released (its response written
 * to the socket). Without that, a consumer draining a backlog allocated ~1 GiB of slabs a second, and
 * V8, which counts such external memory towards its next full collection, ran a mark-compact every
 * ~64 MiB: twice the collections of the recycled run, and twice its GC threads' CPU per message. A body
 * whose lease is never released (a caller that keeps its buffers, a write that never completes) only
 * keeps its slab out of the pool; the garbage collector frees it as before.
 */
import type { BodyLease } from '../common/body-lease.js';

export const BODY_SLAB_BYTES = 1024 * 1024;
/** Bodies bigger than this get a buffer of their own (a slab would hold too few of them). */
const MAX_SLAB_BODY = BODY_SLAB_BYTES / 4;
/** Free slabs kept for reuse; more are dropped to the garbage collector. */
const MAX_FREE_SLABS = 8;

class BodySlab {
  /** Bodies carved from this slab and not released yet. */
  refs = 0;
  used = 0;
  constructor(readonly buf: Buffer) {}
}

/** One carved body and the right to hand its bytes back. release() is idempotent. */
export class SlabLease implements BodyLease {
  constructor(
    readonly body: Buffer,
    private slab: BodySlab | undefined,
    private readonly pool: BodySlabPool,
  ) {}

  /** The body's bytes may be overwritten from now on: nothing may read `body` after this. */
  release(): void {
    const slab = this.slab;
    if (slab === undefined) return;
    this.slab = undefined;
    this.pool.unref(slab);
  }
}

export class BodySlabPool {
  private current: BodySlab | undefined;
  private readonly free: BodySlab[] = [];
  /** Slabs allocated and slabs taken from the free list (tests, stats). */
  allocated = 0;
  reused = 0;

  take(size: number): SlabLease {
    if (size > MAX_SLAB_BODY) return new SlabLease(Buffer.allocUnsafe(size), undefined, this);
    let slab = this.current;
    if (slab === undefined || slab.used + size > slab.buf.length) {
      const full = slab;
      slab = this.free.pop();
      if (slab === undefined) {
        slab = new BodySlab(Buffer.allocUnsafeSlow(BODY_SLAB_BYTES));
        this.allocated++;
      } else {
        this.reused++;
      }
      slab.used = 0;
      this.current = slab;
      if (full !== undefined && full.refs === 0) this.recycle(full);
    }
    const body = slab.buf.subarray(slab.used, slab.used + size);
    // 8-byte aligned starts, as Node's buffer pool does, for readers that take typed views
    slab.used += (size + 7) & ~7;
    slab.refs++;
    return new SlabLease(body, slab, this);
  }

  /** @internal SlabLease.release */
  unref(slab: BodySlab): void {
    slab.refs--;
    // the current slab is still being carved: it goes back once it is full and unreferenced
    if (slab.refs === 0 && slab !== this.current) this.recycle(slab);
  }

  private recycle(slab: BodySlab): void {
    if (this.free.length < MAX_FREE_SLABS) this.free.push(slab);
  }
}
