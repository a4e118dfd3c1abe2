import type { DefaultMessageStore } from '../../store/default-message-store.js';
import type { ConsumerOffsetManager } from './consumer-offset-manager.js';

/**
 * The lowest CommitLog offset that a consumer group with committed offsets has yet to read
 * (Infinity when every group is caught up): the CommitLog's drop-behind keeps the page cache from
 * there on, so that a consumer catching up reads from memory as it would on a broker that never
 * gives pages back. One 8-byte ConsumeQueue read per queue that lags.
 */
export function lowestCommitLogOffsetToConsume(
  offsets: ConsumerOffsetManager,
  store: DefaultMessageStore,
): number {
  let lowest = Number.POSITIVE_INFINITY;
  for (const [topic, queues] of offsets.offsetsByTopic()) {
    for (const [queueId, offset] of queues) {
      const cq = store.findConsumeQueue(topic, queueId);
      if (!cq || offset >= cq.getMaxOffsetInQueue()) continue;
      const at = cq.commitLogOffsetAt(Math.max(offset, cq.getMinOffsetInQueue()));
      if (at !== undefined && at < lowest) lowest = at;
    }
  }
  return lowest;
}
