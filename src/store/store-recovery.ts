import type { Logger } from '../common/logger.js';
import {
  MAGIC_CODE_POSITION,
  MESSAGE_MAGIC_CODE,
  readLong,
  SYSFLAG_POSITION,
  storeTimestampPosition,
} from '../common/message-decoder.js';
import { checkMessageAndReturnSize, type DeliverTimeFn } from './commit-log-scanner.js';
import type { ConsumeQueue } from './consume-queue.js';
import type { IndexService } from './index-service.js';
import type { MappedFile } from './mapped-file.js';
import type { MappedFileQueue } from './mapped-file-queue.js';
import type { MessageStoreConfig } from './message-store-config.js';
import type { DispatchRequest } from './put-message-status.js';
import type { StoreCheckpoint } from './store-checkpoint.js';

const SCAN_CHUNK = 4 * 1024 * 1024;

export interface RecoveryTarget {
  readonly config: MessageStoreConfig;
  readonly log: Logger;
  readonly commitLogQueue: MappedFileQueue;
  readonly checkpoint: StoreCheckpoint;
  readonly indexService: IndexService | undefined;
  readonly deliverTime: DeliverTimeFn;
  consumeQueues(): Iterable<ConsumeQueue>;
  /** Re-dispatch of recovered messages: ConsumeQueue and index entries (each skips what it already has). */
  dispatchRecovered(reqs: DispatchRequest[]): void;
  /** No CommitLog at all: ConsumeQueues and index refer to nothing. */
  destroyLogics(): void;
}

export interface ScanEnd {
  /** Position in the file where valid entries end. */
  end: number;
  /** The scan ended on a blank end-of-file entry (continue with the next file). */
  blank: boolean;
  /** Why it stopped, when it stopped on something it could not read. */
  reason?: string;
}

/**
 * Walks the entries of one CommitLog file from `pos`, checking each (magic, lengths, CRC, and that
 * its PHYSICALOFFSET is where it lies), handing messages to `onMessage` in batches.
 */
export function scanFile(
  mf: MappedFile,
  pos: number,
  checkCRC: boolean,
  deliverTime: DeliverTimeFn,
  onMessages: (reqs: DispatchRequest[]) => void,
): ScanEnd {
  let buf = Buffer.allocUnsafe(Math.min(SCAN_CHUNK, mf.fileSize - pos));
  let bufStart = pos;
  let n = mf.readSync(buf, 0, buf.length, bufStart);
  let batch: DispatchRequest[] = [];
  const flush = () => {
    if (batch.length > 0) onMessages(batch);
    batch = [];
  };
  try {
    while (pos < mf.fileSize) {
      const r = checkMessageAndReturnSize(buf.subarray(0, n), pos - bufStart, checkCRC, deliverTime);
      if (r.kind === 'incomplete') {
        if (bufStart + n >= mf.fileSize)
          return { end: pos, blank: false, reason: 'entry runs past the end of the file' };
        const need = n - (pos - bufStart) >= 4 ? buf.readInt32BE(pos - bufStart) : 0;
        if (need > mf.fileSize - pos)
          return { end: pos, blank: false, reason: `entry size ${need} past the file end` };
        const size = Math.min(mf.fileSize - pos, Math.max(SCAN_CHUNK, need));
        if (size > buf.length) buf = Buffer.allocUnsafe(size);
        bufStart = pos;
        n = mf.readSync(buf, 0, size, bufStart);
        continue;
      }
      if (r.kind === 'blank') return { end: pos, blank: true };
      if (r.kind === 'corrupt') return { end: pos, blank: false, reason: r.reason };
      const req = r.request;
      if (req.commitLogOffset !== mf.fileFromOffset + pos)
        return { end: pos, blank: false, reason: `entry claims offset ${req.commitLogOffset}` };
      batch.push(req);
      if (batch.length >= 4096) flush();
      pos += req.msgSize;
    }
    return { end: pos, blank: false };
  } finally {
    flush();
  }
}

/** Store time of a file's first message, 0 when it does not start with one (isMappedFileMatchedRecover). */
function firstStoreTimestamp(mf: MappedFile): number {
  const head = Buffer.alloc(4 + 4 + 4 + 4 + 4 + 8 + 8 + 4 + 8 + 20 + 8);
  if (mf.readSync(head, 0, head.length, 0) !== head.length) return 0;
  if (head.readInt32BE(MAGIC_CODE_POSITION) !== MESSAGE_MAGIC_CODE) return 0;
  return readLong(head, storeTimestampPosition(head.readInt32BE(SYSFLAG_POSITION)));
}

/**
 * Scans from file `index`, position `pos`, across blank entries, and returns the commit log offset
 * where valid data ends. `dispatch` re-dispatches what it reads (abnormal recovery).
 */
function scanFrom(
  t: RecoveryTarget,
  index: number,
  pos: number,
  dispatch: boolean,
): ScanEnd & { offset: number } {
  const files = t.commitLogQueue.mappedFiles;
  for (;;) {
    const mf = files[index]!;
    const r = scanFile(mf, pos, t.config.checkCRCOnRecover, t.deliverTime, (reqs) => {
      if (dispatch) t.dispatchRecovered(reqs);
    });
    if (r.blank && index + 1 < files.length) {
      index++;
      pos = 0;
      continue;
    }
    return { ...r, offset: mf.fileFromOffset + r.end };
  }
}

/** Is the region at `offset` of the file all zeros (a clean end of data rather than garbage)? */
function zerosAt(mf: MappedFile, pos: number): boolean {
  const b = Buffer.alloc(8);
  const n = mf.readSync(b, 0, Math.min(8, mf.fileSize - pos), pos);
  for (let i = 0; i < n; i++) if (b[i] !== 0) return false;
  return true;
}

/**
 * Recovers the CommitLog and makes ConsumeQueues and index agree with it. Returns the commit log
 * offset where appends continue.
 *
 * Clean shutdown (CommitLog.recoverNormally): the last file is scanned from the end of the last
 * message the ConsumeQueues know (everything before it was complete at shutdown), falling back to the
 * whole last file if that point is not a clean entry boundary.
 * Crash (recoverAbnormally): from the first message of the newest file older than the checkpoint,
 * every entry is verified (magic, lengths, CRC) and re-dispatched; the scan stops at the first bad
 * entry, the torn tail is cut and zeroed, and ConsumeQueue and index entries beyond it are dropped.
 */
export function recoverCommitLog(
  t: RecoveryTarget,
  lastExitOK: boolean,
  maxPhyOffsetOfConsumeQueue: number,
): number {
  const files = t.commitLogQueue.mappedFiles;
  if (files.length === 0) {
    t.commitLogQueue.flushedWhere = 0;
    t.commitLogQueue.committedWhere = 0;
    t.destroyLogics();
    return 0;
  }
  let result: ScanEnd & { offset: number };
  if (lastExitOK) {
    const lastIndex = files.length - 1;
    const last = files[lastIndex]!;
    const hint = maxPhyOffsetOfConsumeQueue - last.fileFromOffset;
    // files before the last are complete: one is only created once the previous is full
    result = scanFrom(t, lastIndex, hint > 0 && hint < last.fileSize ? hint : 0, false);
    if (hint > 0 && !result.blank && result.end < last.fileSize && !zerosAt(last, result.end))
      result = scanFrom(t, lastIndex, 0, false);
  } else {
    const safe =
      t.config.messageIndexEnable && t.config.messageIndexSafe
        ? t.checkpoint.getMinTimestampIndex()
        : t.checkpoint.getMinTimestamp();
    let index = files.length - 1;
    for (; index >= 0; index--) {
      const ts = firstStoreTimestamp(files[index]!);
      if (ts !== 0 && ts <= safe) break;
    }
    if (index < 0) index = 0;
    t.log.info({ file: files[index]!.fileName }, 'abnormal recovery: scanning CommitLog');
    result = scanFrom(t, index, 0, true);
  }
  const processOffset = result.offset;
  if (result.reason)
    t.log.warn({ offset: processOffset, reason: result.reason }, 'CommitLog recovery cut here');
  t.commitLogQueue.flushedWhere = processOffset;
  t.commitLogQueue.committedWhere = processOffset;
  t.commitLogQueue.truncateDirtyFiles(processOffset);
  if (maxPhyOffsetOfConsumeQueue >= processOffset || !lastExitOK) {
    for (const cq of t.consumeQueues())
      if (cq.maxPhysicOffset > processOffset) cq.truncateDirtyLogicFiles(processOffset);
  }
  t.indexService?.truncate(processOffset);
  return processOffset;
}
