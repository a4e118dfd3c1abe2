import { BodySlabPool } from './body-slab-pool.js';
import type { CommitLog } from './commit-log.js';
import type { ConsumeQueue } from './consume-queue.js';
import { CQ_STORE_UNIT_SIZE, type MessageStoreConfig } from './message-store-config.js';
import type { GetMessageResult, GetMessageStatus, MessageFilter } from './put-message-status.js';

/** Entries scanned per call at most, as DefaultMessageStore: max(16000 bytes, maxMsgNums * 20) of ConsumeQueue. */
const MAX_FILTER_BYTES = 16000;
/** Two messages closer than this in the CommitLog are read with one read (the gap is read and dropped). */
const MAX_READ_GAP = 64 * 1024;
const MAX_READ_SPAN = 1024 * 1024;
const INT_MAX = 0x7fffffff;
const TWO_POW_32 = 0x1_0000_0000;

export interface GetMessageContext {
  readonly config: MessageStoreConfig;
  readonly commitLog: CommitLog;
  findConsumeQueue(topic: string, queueId: number): ConsumeQueue | undefined;
}

/** Scratch buffers for reads that span gaps, reused across calls. */
const scratchPool: Buffer[] = [];

function takeScratch(size: number): Buffer {
  if (size <= MAX_READ_SPAN) return scratchPool.pop() ?? Buffer.allocUnsafe(MAX_READ_SPAN);
  return Buffer.allocUnsafe(size);
}

function giveScratch(b: Buffer): void {
  if (b.length === MAX_READ_SPAN && scratchPool.length < 8) scratchPool.push(b);
}

/** Where pull bodies are carved from; a pull's response hands its lease back once written. */
const bodySlabs = new BodySlabPool();

interface Selected {
  offsetPy: number;
  sizePy: number;
  queueOffset: number;
}

/** DefaultMessageStore.isTheBatchFull, plus the caller's own byte limit. */
function isTheBatchFull(
  c: MessageStoreConfig,
  sizePy: number,
  maxMsgNums: number,
  maxTotalBytes: number,
  bufferTotal: number,
  messageTotal: number,
  isInDisk: boolean,
): boolean {
  if (bufferTotal === 0 || messageTotal === 0) return false;
  if (maxMsgNums <= messageTotal) return true;
  if (bufferTotal + sizePy > maxTotalBytes) return true;
  if (isInDisk) {
    return (
      bufferTotal + sizePy > c.maxTransferBytesOnMessageInDisk ||
      messageTotal > c.maxTransferCountOnMessageInDisk - 1
    );
  }
  return (
    bufferTotal + sizePy > c.maxTransferBytesOnMessageInMemory ||
    messageTotal > c.maxTransferCountOnMessageInMemory - 1
  );
}

/**
 * Reads the selected messages into one buffer (their concatenation is the pull body), with as few
 * reads as the CommitLog layout allows: runs of messages closer than MAX_READ_GAP share a read.
 * Returns the views, or undefined for a message whose file disappeared meanwhile.
 */
async function readMessages(
  commitLog: CommitLog,
  sel: Selected[],
  out: Buffer,
  hotFrom: number,
): Promise<(Buffer | undefined)[]> {
  const views: (Buffer | undefined)[] = new Array(sel.length);
  const reads: Promise<void>[] = [];
  let i = 0;
  let outPos = 0;
  while (i < sel.length) {
    const first = sel[i]!;
    const fileEnd = commitLog.rollNextFile(first.offsetPy);
    let j = i + 1;
    let end = first.offsetPy + first.sizePy;
    let contiguous = true;
    while (j < sel.length) {
      const s = sel[j]!;
      if (s.offsetPy < end || s.offsetPy - end > MAX_READ_GAP) break;
      if (s.offsetPy + s.sizePy - first.offsetPy > MAX_READ_SPAN || s.offsetPy + s.sizePy > fileEnd) break;
      if (s.offsetPy !== end) contiguous = false;
      end = s.offsetPy + s.sizePy;
      j++;
    }
    const from = i;
    const to = j;
    const base = outPos;
    let pos = base;
    for (let k = from; k < to; k++) {
      views[k] = out.subarray(pos, pos + sel[k]!.sizePy);
      pos += sel[k]!.sizePy;
    }
    outPos = pos;
    const start = first.offsetPy;
    const span = end - start;
    if (!contiguous && start >= hotFrom && copyCached(commitLog, sel, from, to, out, base)) {
      i = j;
      continue;
    }
    const scratch = contiguous ? out : takeScratch(span);
    const scatter = (ok: boolean): void => {
      if (contiguous) {
        if (!ok) for (let k = from; k < to; k++) views[k] = undefined;
        return;
      }
      let p = base;
      for (let k = from; k < to; k++) {
        const s = sel[k]!;
        if (ok) scratch.copy(out, p, s.offsetPy - start, s.offsetPy - start + s.sizePy);
        else views[k] = undefined;
        p += s.sizePy;
      }
      giveScratch(scratch);
    };
    // recent bytes are in the page cache: a synchronous copy costs less than a trip to the libuv
    // pool; older ones (RocketMQ's "in disk" region) are read off the event loop
    if (start >= hotFrom) scatter(commitLog.readIntoSync(start, scratch, contiguous ? base : 0, span));
    else reads.push(commitLog.readInto(start, scratch, contiguous ? base : 0, span).then(scatter));
    i = j;
  }
  if (reads.length > 0) await Promise.all(reads);
  return views;
}

/** Copies sel[from, to) into `out` at `at` from the CommitLog's read cache; false when it cannot. */
function copyCached(
  commitLog: CommitLog,
  sel: Selected[],
  from: number,
  to: number,
  out: Buffer,
  at: number,
): boolean {
  let p = at;
  for (let k = from; k < to; k++) {
    const s = sel[k]!;
    if (!commitLog.readCachedSync(s.offsetPy, out, p, s.sizePy)) return false;
    p += s.sizePy;
  }
  return true;
}

/**
 * DefaultMessageStore.getMessage: up to `maxMsgNums` messages of (topic, queueId) from queue offset
 * `offset`, ConsumeQueue entries filtered by tag hash, with RocketMQ's statuses and nextBeginOffset
 * rules (nextOffsetCorrection keeps the offset on a slave unless offsetCheckInSlave).
 */
export async function getMessage(
  ctx: GetMessageContext,
  topic: string,
  queueId: number,
  offset: number,
  maxMsgNums: number,
  maxTotalBytes: number,
  filter: MessageFilter | undefined,
): Promise<GetMessageResult> {
  const c = ctx.config;
  const correct = (oldOffset: number, newOffset: number): number =>
    c.brokerRole !== 'SLAVE' || c.offsetCheckInSlave ? newOffset : oldOffset;
  const result: GetMessageResult = {
    status: 'NO_MESSAGE_IN_QUEUE',
    nextBeginOffset: offset,
    minOffset: 0,
    maxOffset: 0,
    messageCount: 0,
    buffers: [],
    bufferTotalSize: 0,
    suggestPullingFromSlave: false,
    queueOffsets: [],
    bodyLease: undefined,
    body: undefined,
  };
  if (queueId < 0 || !Number.isInteger(queueId)) {
    result.status = 'NO_MATCHED_LOGIC_QUEUE';
    result.nextBeginOffset = correct(offset, 0);
    return result;
  }
  const cq = ctx.findConsumeQueue(topic, queueId);
  if (!cq) {
    // RocketMQ creates the queue on lookup and then finds it empty
    result.nextBeginOffset = correct(offset, 0);
    return result;
  }
  const minOffset = cq.getMinOffsetInQueue();
  const maxOffset = cq.getMaxOffsetInQueue();
  result.minOffset = minOffset;
  result.maxOffset = maxOffset;
  if (maxOffset === 0) {
    result.status = 'NO_MESSAGE_IN_QUEUE';
    result.nextBeginOffset = correct(offset, 0);
    return result;
  }
  if (offset < minOffset) {
    result.status = 'OFFSET_TOO_SMALL';
    result.nextBeginOffset = correct(offset, minOffset);
    return result;
  }
  if (offset === maxOffset) {
    result.status = 'OFFSET_OVERFLOW_ONE';
    result.nextBeginOffset = correct(offset, offset);
    return result;
  }
  if (offset > maxOffset) {
    result.status = 'OFFSET_OVERFLOW_BADLY';
    result.nextBeginOffset = correct(offset, maxOffset);
    return result;
  }

  const maxOffsetPy = ctx.commitLog.getMaxOffset();
  const minOffsetPy = ctx.commitLog.getMinOffset();
  const memory = ctx.commitLog.memoryForPageCache();
  const maxFilterEntries = Math.floor(
    Math.max(MAX_FILTER_BYTES, maxMsgNums * CQ_STORE_UNIT_SIZE) / CQ_STORE_UNIT_SIZE,
  );
  const wanted = Math.min(maxFilterEntries, Math.max(maxMsgNums, c.maxTransferCountOnMessageInMemory));
  // as getIndexBuffer, one call never reads past the end of the ConsumeQueue file holding `offset`
  const fileEntries = cq.rollNextFile(offset) - offset;
  // the first read asks for what a full batch needs, even with a filter: RocketMQ's view of the
  // mapped file costs nothing until read, a pread of maxFilterEntries (16 KB) per pull does (~14 us
  // against a few for 640 bytes); a filter that drops entries reads the rest of the scan next
  let asked = Math.min(wanted, fileEntries);
  let entries = cq.readEntries(offset, asked);
  if (!entries) {
    result.status = 'OFFSET_FOUND_NULL';
    result.nextBeginOffset = correct(offset, cq.rollNextFile(offset));
    return result;
  }

  let status: GetMessageStatus = 'NO_MATCHED_MESSAGE';
  let nextPhyFileStartOffset = Number.MIN_SAFE_INTEGER;
  let maxPhyOffsetPulling = 0;
  let scanned = 0;
  let selectedBytes = 0;
  const selected: Selected[] = [];
  const byteLimit = maxTotalBytes > 0 ? maxTotalBytes : INT_MAX;
  scan: for (;;) {
    const count = Math.floor(entries.length / CQ_STORE_UNIT_SIZE);
    const dv = new DataView(entries.buffer, entries.byteOffset, entries.length);
    for (let e = 0; e < count; e++) {
      const p = e * CQ_STORE_UNIT_SIZE;
      const offsetPy = dv.getInt32(p) * TWO_POW_32 + dv.getUint32(p + 4);
      const sizePy = dv.getInt32(p + 8);
      const tagsCode = dv.getInt32(p + 12) * TWO_POW_32 + dv.getUint32(p + 16);
      maxPhyOffsetPulling = offsetPy;
      if (offsetPy < nextPhyFileStartOffset) {
        scanned++;
        continue;
      }
      const isInDisk = maxOffsetPy - offsetPy > memory;
      if (isTheBatchFull(c, sizePy, maxMsgNums, byteLimit, selectedBytes, selected.length, isInDisk))
        break scan;
      scanned++;
      if (filter && !filter.isMatchedByConsumeQueue(tagsCode)) {
        if (selectedBytes === 0) status = 'NO_MATCHED_MESSAGE';
        continue;
      }
      if (sizePy === INT_MAX || offsetPy < minOffsetPy || offsetPy + sizePy > maxOffsetPy) {
        // padding, or a message whose file retention already deleted
        if (selectedBytes === 0) status = 'MESSAGE_WAS_REMOVING';
        nextPhyFileStartOffset = ctx.commitLog.rollNextFile(offsetPy);
        continue;
      }
      selected.push({ offsetPy, sizePy, queueOffset: offset + scanned - 1 });
      selectedBytes += sizePy;
      status = 'FOUND';
      nextPhyFileStartOffset = Number.MIN_SAFE_INTEGER;
    }
    if (scanned >= maxFilterEntries || entries.length < asked * CQ_STORE_UNIT_SIZE) break;
    asked = Math.min(filter ? maxFilterEntries : wanted, maxFilterEntries - scanned, fileEntries - scanned);
    if (asked <= 0) break;
    const more = cq.readEntries(offset + scanned, asked);
    if (!more || more.length === 0) break;
    entries = more;
  }

  if (selected.length > 0) {
    const lease = bodySlabs.take(selectedBytes);
    const views = await readMessages(ctx.commitLog, selected, lease.body, maxOffsetPy - memory);
    let found = false;
    for (let k = 0; k < selected.length; k++) {
      const v = views[k];
      if (!v) {
        if (!found) status = 'MESSAGE_WAS_REMOVING';
        continue;
      }
      if (filter?.isMatchedByCommitLog && !filter.isMatchedByCommitLog(v)) {
        if (!found) status = 'NO_MATCHED_MESSAGE';
        continue;
      }
      found = true;
      status = 'FOUND';
      result.buffers.push(v);
      result.queueOffsets.push(selected[k]!.queueOffset);
      result.bufferTotalSize += v.length;
    }
    result.messageCount = result.buffers.length;
    // the buffers are views of the leased body; without any, nobody will write (and release) it
    if (found) result.bodyLease = lease;
    else lease.release();
    // nothing dropped: the body already is the buffers one after another
    if (result.messageCount === selected.length) result.body = lease.body;
  }
  result.status = status;
  result.nextBeginOffset = offset + scanned;
  result.suggestPullingFromSlave = maxOffsetPy - maxPhyOffsetPulling > memory;
  return result;
}
