import { componentLogger } from '../../common/logger.js';
import { MessageConst } from '../../common/message-const.js';
import { Scheduler } from '../../common/scheduler.js';
import type { MessageModel } from '../impl/mq-client-inner.js';
import type { MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import { resetRetryTopic } from './consume-message-concurrently-service.js';
import type { OffsetStore } from './offset-store.js';
import { type ProcessQueue, REBALANCE_LOCK_INTERVAL } from './process-queue.js';

const log = componentLogger('client.consume');

/**
 * What an orderly listener answers (ConsumeOrderlyStatus): SUCCESS commits the messages;
 * SUSPEND_CURRENT_QUEUE_A_MOMENT (or a throw) stops the queue for a moment and hands the same messages
 * to the listener again, in the same order, until maxReconsumeTimes; then they go to %DLQ%group.
 */
export type ConsumeOrderlyStatus = 'SUCCESS' | 'SUSPEND_CURRENT_QUEUE_A_MOMENT';

/** Passed to an orderly listener (ConsumeOrderlyContext). */
export interface ConsumeOrderlyContext {
  readonly messageQueue: MessageQueue;
  /** How long the queue pauses after SUSPEND_CURRENT_QUEUE_A_MOMENT, ms; -1: the consumer's suspendCurrentQueueTimeMillis. */
  suspendCurrentQueueTimeMillis: number;
}

export type MessageListenerOrderly = (
  msgs: MessageExt[],
  context: ConsumeOrderlyContext,
) => ConsumeOrderlyStatus | Promise<ConsumeOrderlyStatus>;

export interface OrderlyServiceDeps {
  group: string;
  messageModel: MessageModel;
  offsetStore: () => OffsetStore;
  /** LOCK_BATCH_MQ for one queue (RebalanceImpl.lock): whether the broker says it is ours. */
  lock(mq: MessageQueue): Promise<boolean>;
  /** Renews the locks of every owned queue (RebalanceImpl.lockAll). */
  lockAll(): Promise<void>;
  /** A plain send of the message to %RETRY%group (the broker moves it to the DLQ past its limit). */
  sendMessageBack(msg: MessageExt, maxReconsumeTimes: number): Promise<boolean>;
}

export interface OrderlyServiceSettings {
  consumeThreadMax: number;
  batchMaxSize: number;
  /** Infinity: never give up on a message (maxReconsumeTimes -1, the orderly default). */
  maxReconsumeTimes: number;
  suspendCurrentQueueTimeMillis: number;
}

interface Lane {
  pq: ProcessQueue;
  mq: MessageQueue;
}

/**
 * Orderly consumption (client/.../impl/consumer/ConsumeMessageOrderlyService.java): each queue is one
 * lane, at most one listener call per queue at any time, in offset order; up to consumeThreadMax
 * queues are consumed at once. In clustering mode a queue is consumed only while this client holds its
 * broker lock (LOCK_BATCH_MQ, renewed every 20 s). A suspended batch is retried locally; past
 * maxReconsumeTimes a message is sent to %RETRY%group with its reconsume count, which the broker turns
 * into a %DLQ%group message, and the queue moves on.
 */
export class ConsumeMessageOrderlyService {
  private readonly waiting: Lane[] = [];
  private running = 0;
  private stopped = false;
  private readonly scheduler = new Scheduler(undefined, (name, err) =>
    log.warn({ err, task: name }, 'orderly consume task failed'),
  );
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: OrderlyServiceDeps,
    private readonly listener: MessageListenerOrderly,
    private readonly s: OrderlyServiceSettings,
  ) {}

  start(): void {
    if (this.deps.messageModel === 'CLUSTERING')
      this.scheduler.every('lockMQPeriodically', REBALANCE_LOCK_INTERVAL, () => this.deps.lockAll(), 1000);
  }

  /** New messages were put into `pq`: opens the queue's lane unless it is already open. */
  submitConsumeRequest(_msgs: readonly MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    if (pq.consuming || !pq.hasTempMessage()) return;
    pq.consuming = true;
    this.enqueue(pq, mq);
  }

  private enqueue(pq: ProcessQueue, mq: MessageQueue): void {
    if (this.stopped) return;
    this.waiting.push({ pq, mq });
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.s.consumeThreadMax && this.waiting.length > 0) {
      const lane = this.waiting.shift()!;
      this.running++;
      this.runLane(lane)
        .catch((err: unknown) => log.warn({ err, mq: lane.mq }, 'orderly consume request failed'))
        .finally(() => {
          this.running--;
          if (this.running === 0) this.notifyIdle();
          this.pump();
        });
    }
  }

  /** One batch of a queue (ConsumeRequest.run); the lane goes back to the end of the line after it. */
  private async runLane({ pq, mq }: Lane): Promise<void> {
    if (pq.dropped) return;
    const clustering = this.deps.messageModel === 'CLUSTERING';
    if (clustering && (!pq.locked || pq.isLockExpired())) {
      log.debug({ mq }, 'queue not locked (or lock expired), consume later');
      this.tryLockLaterAndReconsume(mq, pq, 10);
      return;
    }
    const msgs = pq.takeMessages(this.s.batchMaxSize);
    if (msgs.length === 0) return;
    resetRetryTopic(msgs, this.deps.group);
    const context: ConsumeOrderlyContext = { messageQueue: mq, suspendCurrentQueueTimeMillis: -1 };
    // the queue's consume lock: a rebalance releases the queue only after this call and its commit
    pq.beginConsume();
    let continueConsume = false;
    try {
      let status: ConsumeOrderlyStatus;
      try {
        status = await this.listener(msgs, context);
        if (status !== 'SUCCESS' && status !== 'SUSPEND_CURRENT_QUEUE_A_MOMENT')
          status = 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      } catch (err) {
        log.debug({ err, mq }, 'orderly listener threw; suspending the queue');
        status = 'SUSPEND_CURRENT_QUEUE_A_MOMENT';
      }
      if (this.stopped && status !== 'SUCCESS') {
        // interrupted: leave the messages uncommitted for whoever owns the queue next
        pq.rollback();
        return;
      }
      continueConsume = await this.processConsumeResult(msgs, status, context, pq, mq);
    } finally {
      pq.endConsume();
    }
    if (continueConsume && !pq.dropped) this.enqueue(pq, mq);
  }

  /** processConsumeResult (autoCommit): whether the lane goes on at once. */
  private async processConsumeResult(
    msgs: MessageExt[],
    status: ConsumeOrderlyStatus,
    context: ConsumeOrderlyContext,
    pq: ProcessQueue,
    mq: MessageQueue,
  ): Promise<boolean> {
    let commitOffset = -1;
    let continueConsume = true;
    if (status === 'SUCCESS') {
      commitOffset = pq.commit();
    } else {
      const again = await this.checkReconsumeTimes(msgs);
      if (again.length > 0) {
        pq.makeMessageToConsumeAgain(again);
        this.submitConsumeRequestLater(pq, mq, context.suspendCurrentQueueTimeMillis);
        continueConsume = false;
      } else {
        commitOffset = pq.commit();
      }
    }
    // a dropped queue still commits until it is released: its release waits for this call, then
    // persists the offset, so the next owner starts right after what was consumed here
    if (commitOffset >= 0 && !pq.released) this.deps.offsetStore().updateOffset(mq, commitOffset, false);
    return continueConsume;
  }

  /**
   * checkReconsumeTimes: messages below maxReconsumeTimes are counted and retried here; the others are
   * sent back (to end in the DLQ), and retried here only if that send failed. RocketMQ retries the
   * whole batch even when some of it went to the DLQ, handing those to the listener once more; here a
   * message that reached the DLQ is done and is committed with the rest.
   */
  private async checkReconsumeTimes(msgs: MessageExt[]): Promise<MessageExt[]> {
    const again: MessageExt[] = [];
    for (const msg of msgs) {
      if (msg.reconsumeTimes >= this.s.maxReconsumeTimes) {
        msg.properties[MessageConst.PROPERTY_RECONSUME_TIME] = String(msg.reconsumeTimes);
        if (await this.deps.sendMessageBack(msg, this.s.maxReconsumeTimes)) continue;
      }
      msg.reconsumeTimes++;
      again.push(msg);
    }
    return again;
  }

  private tryLockLaterAndReconsume(mq: MessageQueue, pq: ProcessQueue, delayMs: number): void {
    this.scheduler.once('tryLockLaterAndReconsume', delayMs, async () => {
      const ok = !this.stopped && (await this.deps.lock(mq));
      this.submitConsumeRequestLater(pq, mq, ok ? 10 : 3000);
    });
  }

  /** The lane resumes after `ms` (-1: suspendCurrentQueueTimeMillis), clamped to 10 ms .. 30 s as RocketMQ. */
  private submitConsumeRequestLater(pq: ProcessQueue, mq: MessageQueue, ms: number): void {
    let delay = ms === -1 ? this.s.suspendCurrentQueueTimeMillis : ms;
    delay = Math.min(30_000, Math.max(10, delay));
    this.scheduler.once('submitConsumeRequestLater', delay, () => {
      if (!pq.dropped) this.enqueue(pq, mq);
    });
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Stops lanes and lock renewal, and waits up to `awaitMs` for running listener calls. */
  async shutdown(awaitMs: number): Promise<void> {
    this.stopped = true;
    this.scheduler.stop();
    this.waiting.length = 0;
    if (this.running === 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, awaitMs);
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get runningCount(): number {
    return this.running;
  }
}
