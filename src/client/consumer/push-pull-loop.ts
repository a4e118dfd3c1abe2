import { componentLogger } from '../../common/logger.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { MessageModel } from '../impl/mq-client-inner.js';
import type { MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue } from './process-queue.js';
import type { PullAPIWrapper, PullResult } from './pull-api-wrapper.js';
import type { PullRequest } from './rebalance-impl.js';

const log = componentLogger('client.consumer');

// PULL_TIME_DELAY_MILLS_WHEN_EXCEPTION, ..._WHEN_FLOW_CONTROL, ..._WHEN_SUSPEND (DefaultMQPushConsumerImpl)
const DELAY_WHEN_EXCEPTION = 3000;
const DELAY_WHEN_FLOW_CONTROL = 50;
const DELAY_WHEN_OFFSET_ILLEGAL = 10_000;

export interface PullLoopSettings {
  pullBatchSize: number;
  pullInterval: number;
  pullThresholdForQueue: number;
  pullThresholdSizeForQueue: number;
  consumeConcurrentlyMaxSpan: number;
  brokerSuspendMaxTimeMillis: number;
}

export interface PullLoopDeps {
  messageModel: MessageModel;
  /** Orderly: a queue is pulled only while locked, and from its committed offset once locked. */
  orderly: boolean;
  running(): boolean;
  subscription(topic: string): SubscriptionData | undefined;
  offsetStore(): OffsetStore;
  pullAPI(): PullAPIWrapper;
  computePullFromWhere(mq: MessageQueue): Promise<number>;
  submitConsumeRequest(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void;
  removeProcessQueue(mq: MessageQueue): Promise<void>;
}

/**
 * The push consumer's pull loops (DefaultMQPushConsumerImpl.pullMessage and its PullCallback): one
 * long-polling loop per owned queue, paused by flow control, feeding pulled messages to the consume
 * service.
 */
export class PushPullLoop {
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly deps: PullLoopDeps,
    private readonly s: PullLoopSettings,
  ) {}

  executePullRequestLater(req: PullRequest, delayMs: number): void {
    if (!this.deps.running()) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      this.pullMessage(req).catch((err: unknown) => {
        log.warn({ err, mq: req.messageQueue }, 'pull loop failed');
        this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
      });
    }, delayMs);
    this.timers.add(t);
  }

  /** Stops every loop (shutdown). */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  /** One turn of a queue's pull loop. */
  private async pullMessage(req: PullRequest): Promise<void> {
    const d = this.deps;
    const s = this.s;
    const pq = req.processQueue;
    if (pq.dropped || !d.running()) return;
    pq.lastPullTimestamp = Date.now();
    if (
      pq.msgCount > s.pullThresholdForQueue ||
      pq.msgSizeBytes > s.pullThresholdSizeForQueue * 1024 * 1024 ||
      (!d.orderly && pq.maxSpan() > s.consumeConcurrentlyMaxSpan)
    ) {
      this.executePullRequestLater(req, DELAY_WHEN_FLOW_CONTROL);
      return;
    }
    const mq = req.messageQueue;
    if (d.orderly) {
      if (!pq.locked) {
        // pull nothing the broker does not let us consume
        this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
        return;
      }
      if (!req.previouslyLocked) {
        // the first pull since the lock: start from the offset the last owner committed
        const offset = await d.computePullFromWhere(mq);
        if (offset < 0) {
          this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
          return;
        }
        req.previouslyLocked = true;
        req.nextOffset = offset;
      }
    }
    const sd = d.subscription(mq.topic);
    if (!sd) {
      this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
      return;
    }
    let commitOffset = 0;
    if (d.messageModel === 'CLUSTERING')
      commitOffset = await d.offsetStore().readOffset(mq, 'READ_FROM_MEMORY');
    let result: PullResult;
    try {
      result = await d.pullAPI().pullKernelImpl({
        mq,
        subscription: sd,
        offset: req.nextOffset,
        maxNums: s.pullBatchSize,
        commitOffset: Math.max(0, commitOffset),
        commitOffsetEnable: commitOffset > 0,
        suspendTimeoutMillis: s.brokerSuspendMaxTimeMillis,
        // CONSUMER_TIMEOUT_MILLIS_WHEN_SUSPEND: the socket waits longer than the broker holds
        timeoutMillis: s.brokerSuspendMaxTimeMillis + 15_000,
      });
    } catch (err) {
      if (d.running() && !pq.dropped) log.debug({ err, mq }, 'pull failed');
      this.executePullRequestLater(req, DELAY_WHEN_EXCEPTION);
      return;
    }
    if (pq.dropped || !d.running()) return;
    switch (result.pullStatus) {
      case 'FOUND':
        req.nextOffset = result.nextBeginOffset;
        if (result.msgFoundList.length > 0) {
          pq.putMessage(result.msgFoundList);
          d.submitConsumeRequest(result.msgFoundList, pq, mq);
        } else {
          this.correctTagsOffset(req);
        }
        this.executePullRequestLater(req, s.pullInterval);
        break;
      case 'NO_NEW_MSG':
      case 'NO_MATCHED_MSG':
        req.nextOffset = result.nextBeginOffset;
        this.correctTagsOffset(req);
        this.executePullRequestLater(req, s.pullInterval);
        break;
      case 'OFFSET_ILLEGAL': {
        log.warn(
          { mq, offset: req.nextOffset, next: result.nextBeginOffset },
          'pull offset illegal, moving on',
        );
        req.nextOffset = result.nextBeginOffset;
        pq.dropped = true;
        const t = setTimeout(() => {
          this.timers.delete(t);
          const store = d.offsetStore();
          store.updateOffset(mq, req.nextOffset, false);
          store
            .persist(mq)
            .then(() => d.removeProcessQueue(mq))
            .catch((err: unknown) => log.warn({ err, mq }, 'cannot reset an illegal offset'));
        }, DELAY_WHEN_OFFSET_ILLEGAL);
        this.timers.add(t);
        break;
      }
    }
  }

  /** Nothing buffered: everything before nextOffset was filtered out or consumed, so commit past it. */
  private correctTagsOffset(req: PullRequest): void {
    if (req.processQueue.msgCount === 0)
      this.deps.offsetStore().updateOffset(req.messageQueue, req.nextOffset, true);
  }
}
