import { checkMessageAndReturnSize, type DeliverTimeFn } from './commit-log-scanner.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import type { DispatchRequest } from './put-message-status.js';

/**
 * The store's side of HA replication (protocol.md s.7): the master reads raw CommitLog bytes
 * (getCommitLogData), a slave appends them at its own end (appendToCommitLog) and dispatches the
 * whole messages they complete (the reput service of a slave).
 */

/** Up to `maxBytes` written bytes from `offset`, never past the end of the file holding it; null when none. */
export async function readRawCommitLog(
  queue: MappedFileQueue,
  offset: number,
  maxBytes: number,
): Promise<Buffer | null> {
  const mf = queue.findMappedFileByOffset(offset);
  if (!mf) return null;
  const pos = offset - mf.fileFromOffset;
  const len = Math.min(maxBytes, mf.committedPosition - pos);
  if (len <= 0) return null;
  const buf = Buffer.allocUnsafe(len);
  const n = await mf.read(buf, 0, len, pos);
  return n > 0 ? buf.subarray(0, n) : null;
}

export interface RawAppendHost {
  readonly queue: MappedFileQueue;
  readonly fileSize: number;
  readonly deliverTime: DeliverTimeFn;
  /** Appends continue here after a raw append (the CommitLog's write position). */
  setWroteOffset(offset: number): void;
  /** Dispatches whole messages, in order (ConsumeQueues, index, listeners). */
  dispatch(reqs: DispatchRequest[]): void;
}

/**
 * Appends replicated bytes. They must start exactly at the local end (as HAClient checks); a message
 * split across two transfers is dispatched once its second part arrives.
 */
export class RawCommitLogAppender {
  /** Everything before this offset is dispatched. */
  reputFromOffset = 0;
  private busy: Promise<unknown> = Promise.resolve();

  constructor(private readonly host: RawAppendHost) {}

  append(startOffset: number, data: Buffer): Promise<boolean> {
    const run = this.busy.then(() => this.doAppend(startOffset, data));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async doAppend(startOffset: number, data: Buffer): Promise<boolean> {
    const q = this.host.queue;
    if (startOffset !== q.committedWhere) {
      // an empty slave starts wherever its master starts it: at the start of a file (HAConnection)
      if (!q.isEmpty() || startOffset % this.host.fileSize !== 0) return false;
      q.committedWhere = startOffset;
      this.reputFromOffset = startOffset;
    }
    let done = 0;
    while (done < data.length) {
      const offset = startOffset + done;
      const mf = q.getOrCreateMappedFile(offset);
      const pos = offset - mf.fileFromOffset;
      const len = Math.min(data.length - done, mf.fileSize - pos);
      await mf.write(data, done, len, pos);
      mf.wrotePosition = pos + len;
      mf.committedPosition = pos + len;
      done += len;
    }
    const end = startOffset + data.length;
    q.committedWhere = end;
    this.host.setWroteOffset(end);
    this.reput(end);
    return true;
  }

  /** Dispatches the whole entries between reputFromOffset and `end`. */
  private reput(end: number): void {
    const q = this.host.queue;
    const reqs: DispatchRequest[] = [];
    while (this.reputFromOffset < end) {
      const mf = q.findMappedFileByOffset(this.reputFromOffset);
      if (!mf) break;
      const pos = this.reputFromOffset - mf.fileFromOffset;
      const avail = Math.min(end, mf.fileFromOffset + mf.fileSize) - this.reputFromOffset;
      const buf = Buffer.allocUnsafe(avail);
      const n = mf.readSync(buf, 0, avail, pos);
      let p = 0;
      let moved = false;
      while (p < n) {
        const r = checkMessageAndReturnSize(buf.subarray(0, n), p, false, this.host.deliverTime);
        if (r.kind === 'message') {
          reqs.push(r.request);
          p += r.request.msgSize;
        } else if (r.kind === 'blank') {
          this.reputFromOffset = mf.fileFromOffset + this.host.fileSize;
          moved = true;
          break;
        } else break; // incomplete: wait for the rest; corrupt: the master sent garbage, stop here
      }
      if (!moved) {
        this.reputFromOffset += p;
        break;
      }
    }
    if (reqs.length > 0) this.host.dispatch(reqs);
  }
}
