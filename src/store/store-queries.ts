import type { CommitLog } from './commit-log.js';
import type { ConsumeQueueTable } from './consume-queue-table.js';
import type { IndexService } from './index-service.js';

/** The lookups of DefaultMessageStore that are neither appends nor pulls. */
export interface QueryContext {
  readonly commitLog: CommitLog;
  readonly queues: ConsumeQueueTable;
  readonly indexService: IndexService | undefined;
  readonly maxMessageSize: number;
}

export interface QueryMessageResult {
  buffers: Buffer[];
  indexLastUpdateTimestamp: number;
  indexLastUpdatePhyoffset: number;
}

function entryAt(ctx: QueryContext, topic: string, queueId: number, cqOffset: number) {
  const e = ctx.queues.find(topic, queueId)?.readEntries(cqOffset, 1);
  if (!e || e.length < 20) return undefined;
  return { offset: e.readInt32BE(0) * 0x1_0000_0000 + e.readUInt32BE(4), size: e.readInt32BE(8) };
}

/** Commit log offset of the entry at `cqOffset`, 0 when none (getCommitLogOffsetInQueue). */
export function getCommitLogOffsetInQueue(
  ctx: QueryContext,
  topic: string,
  queueId: number,
  cqOffset: number,
): number {
  return entryAt(ctx, topic, queueId, cqOffset)?.offset ?? 0;
}

/** Store time of the message at `cqOffset`, -1 when none (getMessageStoreTimeStamp). */
export async function getMessageStoreTimeStamp(
  ctx: QueryContext,
  topic: string,
  queueId: number,
  cqOffset: number,
): Promise<number> {
  const e = entryAt(ctx, topic, queueId, cqOffset);
  return e ? ctx.commitLog.pickupStoreTimestamp(e.offset, e.size) : -1;
}

/** With a queue: store time of its oldest message; without: of the oldest in the CommitLog; -1 when none. */
export async function getEarliestMessageTime(
  ctx: QueryContext,
  topic?: string,
  queueId?: number,
): Promise<number> {
  if (topic === undefined || queueId === undefined) {
    const min = ctx.commitLog.getMinOffset();
    return min < 0 ? -1 : ctx.commitLog.pickupStoreTimestamp(min, ctx.maxMessageSize);
  }
  const cq = ctx.queues.find(topic, queueId);
  return cq ? getMessageStoreTimeStamp(ctx, topic, queueId, cq.getMinOffsetInQueue()) : -1;
}

/**
 * QUERY_MESSAGE by key (DefaultMessageStore.queryMessage): up to three index passes, each ending
 * where the previous one found its oldest match, until something is found.
 */
export async function queryMessage(
  ctx: QueryContext,
  topic: string,
  key: string,
  maxNum: number,
  begin: number,
  end: number,
): Promise<QueryMessageResult> {
  const out: QueryMessageResult = { buffers: [], indexLastUpdateTimestamp: 0, indexLastUpdatePhyoffset: 0 };
  if (!ctx.indexService) return out;
  let lastQueryMsgTime = end;
  for (let i = 0; i < 3; i++) {
    const r = await ctx.indexService.queryOffset(topic, key, maxNum, begin, lastQueryMsgTime);
    if (r.phyOffsets.length === 0) break;
    r.phyOffsets.sort((a, b) => a - b);
    out.indexLastUpdateTimestamp = r.indexLastUpdateTimestamp;
    out.indexLastUpdatePhyoffset = r.indexLastUpdatePhyoffset;
    for (let m = 0; m < r.phyOffsets.length; m++) {
      const msg = await ctx.commitLog.getMessage(r.phyOffsets[m]!);
      if (!msg) continue;
      if (m === 0) lastQueryMsgTime = await ctx.commitLog.pickupStoreTimestamp(r.phyOffsets[m]!, msg.length);
      out.buffers.push(msg);
    }
    if (out.buffers.length > 0 || lastQueryMsgTime < begin) break;
  }
  return out;
}
