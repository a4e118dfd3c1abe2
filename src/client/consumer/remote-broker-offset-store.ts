import { componentLogger } from '../../common/logger.js';
import { MQBrokerError } from '../errors.js';
import { type MessageQueue, messageQueueKey } from '../message-queue.js';
import type { OffsetStore, ReadOffsetType } from './offset-store.js';

const log = componentLogger('client.offset');
const QUERY_NOT_FOUND = 22;

/** What the remote store needs from the client: the two offset requests, routed to the queue's broker. */
export interface ConsumerOffsetApi {
  /** QUERY_CONSUMER_OFFSET; throws MQBrokerError(QUERY_NOT_FOUND) when the broker has none. */
  queryConsumerOffset(group: string, mq: MessageQueue): Promise<number>;
  /** UPDATE_CONSUMER_OFFSET, oneway or awaited. */
  updateConsumerOffset(group: string, mq: MessageQueue, offset: number, oneway: boolean): Promise<void>;
}

/** Offsets kept on the broker (RemoteBrokerOffsetStore): cached here, pushed every persist interval. */
export class RemoteBrokerOffsetStore implements OffsetStore {
  private readonly table = new Map<string, { mq: MessageQueue; offset: number }>();

  constructor(
    private readonly group: string,
    private readonly api: ConsumerOffsetApi,
  ) {}

  async load(): Promise<void> {}

  updateOffset(mq: MessageQueue, offset: number, increaseOnly: boolean): void {
    const key = messageQueueKey(mq);
    const cur = this.table.get(key);
    if (!cur) this.table.set(key, { mq, offset });
    else if (!increaseOnly || offset > cur.offset) cur.offset = offset;
  }

  async readOffset(mq: MessageQueue, type: ReadOffsetType): Promise<number> {
    if (type !== 'READ_FROM_STORE') {
      const cur = this.table.get(messageQueueKey(mq));
      if (cur) return cur.offset;
      if (type === 'READ_FROM_MEMORY') return -1;
    }
    try {
      const offset = await this.api.queryConsumerOffset(this.group, mq);
      this.updateOffset(mq, offset, false);
      return offset;
    } catch (err) {
      if (err instanceof MQBrokerError && err.responseCode === QUERY_NOT_FOUND) return -1;
      log.warn({ err, mq }, 'query consumer offset failed');
      return -2;
    }
  }

  async persistAll(mqs: readonly MessageQueue[]): Promise<void> {
    const keep = new Set(mqs.map(messageQueueKey));
    const sends: Promise<void>[] = [];
    for (const [key, { mq, offset }] of this.table) {
      if (!keep.has(key)) {
        // as RemoteBrokerOffsetStore.persistAll: offsets of queues no longer ours are dropped
        this.table.delete(key);
        continue;
      }
      sends.push(
        this.api.updateConsumerOffset(this.group, mq, offset, true).catch((err: unknown) => {
          log.warn({ err, mq }, 'persist consumer offset failed');
        }),
      );
    }
    await Promise.all(sends);
  }

  async persist(mq: MessageQueue): Promise<void> {
    const cur = this.table.get(messageQueueKey(mq));
    if (!cur) return;
    try {
      await this.api.updateConsumerOffset(this.group, mq, cur.offset, false);
    } catch (err) {
      log.warn({ err, mq }, 'persist consumer offset failed');
    }
  }

  removeOffset(mq: MessageQueue): void {
    this.table.delete(messageQueueKey(mq));
  }

  async updateConsumeOffsetToStore(mq: MessageQueue, offset: number): Promise<void> {
    this.updateOffset(mq, offset, false);
    await this.api.updateConsumerOffset(this.group, mq, offset, false);
  }

  /** A copy of the cached offsets (cloneOffsetTable). */
  offsets(): Map<string, number> {
    const out = new Map<string, number>();
    for (const [key, { offset }] of this.table) out.set(key, offset);
    return out;
  }
}
