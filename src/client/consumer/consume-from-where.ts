import { MixAll } from '../../common/message-const.js';
import { MQClientError } from '../errors.js';
import type { ConsumeFromWhere } from '../impl/mq-client-inner.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import type { MessageQueue } from '../message-queue.js';
import type { OffsetStore } from './offset-store.js';

/** yyyyMMddHHmmss in local time (UtilAll.parseDate with YYYYMMDDHHMMSS), or epoch ms. */
export function parseConsumeTimestamp(ts: string | number): number {
  if (typeof ts === 'number') return ts;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(ts);
  if (!m) throw new MQClientError(`consumeTimestamp must be yyyyMMddHHmmss, got ${ts}`);
  return new Date(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!).getTime();
}

export interface QueueOffsetLookup {
  maxOffset(mq: MessageQueue): Promise<number>;
  searchOffset(mq: MessageQueue, timestamp: number): Promise<number>;
}

/** Asks the queue's master (refreshing the route once when it is not known yet). */
export function brokerOffsetLookup(instance: MQClientInstance): QueueOffsetLookup {
  const addrOf = async (mq: MessageQueue): Promise<string> => {
    let addr = instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await instance.updateTopicRouteInfoFromNameServer(mq.topic);
      addr = instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new MQClientError(`The broker[${mq.brokerName}] not exist`);
    return addr;
  };
  const timeout = instance.config.requestTimeoutMs;
  return {
    maxOffset: async (mq) => instance.api.getMaxOffset(await addrOf(mq), mq.topic, mq.queueId, timeout),
    searchOffset: async (mq, ts) =>
      instance.api.searchOffset(await addrOf(mq), mq.topic, mq.queueId, ts, timeout),
  };
}

/**
 * Where a newly assigned queue starts (RebalancePushImpl.computePullFromWhere): the committed offset
 * when the group has one; otherwise per consumeFromWhere. A retry topic always starts at its beginning
 * (its messages are all due to this group). -1 means "could not tell now; try at the next rebalance".
 */
export async function computePullFromWhere(
  mq: MessageQueue,
  where: ConsumeFromWhere,
  consumeTimestamp: number,
  offsetStore: OffsetStore,
  lookup: QueueOffsetLookup,
): Promise<number> {
  const last = await offsetStore.readOffset(mq, 'READ_FROM_STORE');
  if (last >= 0) return last;
  if (last !== -1) return -1;
  const retry = mq.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX);
  try {
    switch (where) {
      case 'CONSUME_FROM_FIRST_OFFSET':
        return 0;
      case 'CONSUME_FROM_LAST_OFFSET':
        return retry ? 0 : await lookup.maxOffset(mq);
      case 'CONSUME_FROM_TIMESTAMP':
        return retry ? await lookup.maxOffset(mq) : await lookup.searchOffset(mq, consumeTimestamp);
    }
  } catch {
    return -1;
  }
}
