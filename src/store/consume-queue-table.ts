import * as fs from 'node:fs';
import { join } from 'node:path';
import { entersConsumeQueue } from './commit-log-scanner.js';
import { ConsumeQueue, type ConsumeQueueHost } from './consume-queue.js';
import type { IndexService } from './index-service.js';
import type { DispatchRequest } from './put-message-status.js';

/** Pending ConsumeQueue entries are written once this many bytes (~200 entries) gather. */
const PENDING_WRITE_BYTES = 4096;

/**
 * Every ConsumeQueue of the store, by topic then queue id (DefaultMessageStore.consumeQueueTable),
 * and dispatch: the ConsumeQueue and index entries of stored messages
 * (CommitLogDispatcherBuildConsumeQueue, CommitLogDispatcherBuildIndex).
 */
export class ConsumeQueueTable {
  readonly table = new Map<string, ConsumeQueue[]>();
  /** Store time of the last message dispatched (the checkpoint's logicsMsgTimestamp). */
  lastDispatchedStoreTimestamp = 0;
  /** Queues with pending entries. */
  private readonly dirty = new Set<ConsumeQueue>();

  constructor(
    private readonly rootPath: string,
    private readonly mappedFileSize: number,
    private readonly host: ConsumeQueueHost,
    private readonly indexService: IndexService | undefined,
  ) {}

  *all(): Iterable<ConsumeQueue> {
    for (const queues of this.table.values()) for (const cq of queues) if (cq) yield cq;
  }

  find(topic: string, queueId: number): ConsumeQueue | undefined {
    return this.table.get(topic)?.[queueId];
  }

  findOrCreate(topic: string, queueId: number): ConsumeQueue {
    let queues = this.table.get(topic);
    if (!queues) {
      queues = [];
      this.table.set(topic, queues);
    }
    let cq = queues[queueId];
    if (!cq) {
      cq = new ConsumeQueue(topic, queueId, this.rootPath, this.mappedFileSize, this.host);
      queues[queueId] = cq;
    }
    return cq;
  }

  /** Opens consumequeue/<topic>/<queueId>/ folders. */
  load(): void {
    let topics: string[];
    try {
      topics = fs.readdirSync(this.rootPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    for (const topic of topics) {
      let ids: string[];
      try {
        ids = fs.readdirSync(join(this.rootPath, topic));
      } catch {
        continue;
      }
      for (const id of ids) if (/^\d+$/.test(id)) this.findOrCreate(topic, Number(id)).load();
    }
  }

  /** Dispatch of stored messages, in commit log order; each queue written once per call. */
  dispatch(reqs: readonly DispatchRequest[]): void {
    const dirty = this.dirty;
    const index = this.indexService;
    let lastTopic = '';
    let lastQueues: ConsumeQueue[] | undefined;
    for (const r of reqs) {
      if (entersConsumeQueue(r.sysFlag)) {
        if (r.topic !== lastTopic) {
          lastTopic = r.topic;
          lastQueues = this.table.get(r.topic);
        }
        const cq = lastQueues?.[r.queueId] ?? this.findOrCreate(r.topic, r.queueId);
        if (cq.putMessagePositionInfo(r.commitLogOffset, r.msgSize, r.tagsCode, r.consumeQueueOffset))
          dirty.add(cq);
      }
      index?.buildIndex(r);
    }
    for (const cq of dirty) {
      if (cq.pendingBytes() >= PENDING_WRITE_BYTES) cq.flushPending();
      if (!cq.hasPending()) dirty.delete(cq);
    }
    index?.flushPendingIfLarge();
    const last = reqs[reqs.length - 1];
    if (last) this.lastDispatchedStoreTimestamp = last.storeTimestamp;
  }

  /** Writes every queue's pending entries (before an fsync, or when the store stops). */
  flushAllPending(): void {
    for (const cq of this.dirty) cq.flushPending();
    this.dirty.clear();
    this.indexService?.flushPending();
  }

  /** Drops the topics' queues and files. */
  deleteTopic(topic: string): boolean {
    const queues = this.table.get(topic);
    if (!queues) return false;
    for (const cq of queues) {
      if (!cq) continue;
      this.dirty.delete(cq);
      cq.destroy();
    }
    this.table.delete(topic);
    try {
      fs.rmdirSync(join(this.rootPath, topic));
    } catch {
      // not empty or gone
    }
    return true;
  }

  destroyAll(): void {
    for (const cq of this.all()) cq.destroy();
    this.dirty.clear();
    this.table.clear();
  }
}
