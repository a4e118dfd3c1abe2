import { componentLogger } from '../../common/logger.js';
import { MessageConst, MixAll } from '../../common/message-const.js';
import type { MessageModel } from '../impl/mq-client-inner.js';
import type { MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import type { OffsetStore } from './offset-store.js';
import type { ProcessQueue } from './process-queue.js';

const log = componentLogger('client.consume');

/** resetRetryAndNamespace: a message redelivered through %RETRY%group shows its original topic. */
export function resetRetryTopic(msgs: readonly MessageExt[], group: string): void {
  const retryTopic = MixAll.getRetryTopic(group);
  for (const msg of msgs) {
    const original = msg.properties[MessageConst.PROPERTY_RETRY_TOPIC];
    if (original !== undefined && msg.topic === retryTopic) msg.topic = original;
  }
}

export type ConsumeConcurrentlyStatus = 'CONSUME_SUCCESS' | 'RECONSUME_LATER';

/** Passed to the listener (ConsumeConcurrentlyContext). */
export interface ConsumeConcurrentlyContext {
  readonly messageQueue: MessageQueue;
  /** Delay level for messages sent back: 0 lets the broker use 3 + reconsumeTimes; -1 sends to the DLQ at once. */
  delayLevelWhenNextConsume: number;
  /** With CONSUME_SUCCESS, messages after this index are treated as failed. */
  ackIndex: number;
}

export type MessageListenerConcurrently = (
  msgs: MessageExt[],
  context: ConsumeConcurrentlyContext,
) => ConsumeConcurrentlyStatus | Promise<ConsumeConcurrentlyStatus>;

export interface ConsumeServiceDeps {
  group: string;
  messageModel: MessageModel;
  offsetStore: () => OffsetStore;
  /** CONSUMER_SEND_MSG_BACK with the plain-send fallback; false when both failed. */
  sendMessageBack(msg: MessageExt, delayLevel: number, brokerName: string): Promise<boolean>;
}

interface ConsumeRequest {
  msgs: MessageExt[];
  pq: ProcessQueue;
  mq: MessageQueue;
}

/**
 * Runs the listener over pulled messages (client/.../impl/consumer/ConsumeMessageConcurrentlyService):
 * batches of consumeMessageBatchMaxSize, at most consumeThreadMax listener calls at once, failures sent
 * back to the broker for a later retry, and the queue's commit offset advanced only past what is done.
 */
export class ConsumeMessageConcurrentlyService {
  private readonly waiting: ConsumeRequest[] = [];
  private waitingHead = 0;
  private running = 0;
  private stopped = false;
  private readonly laterTimers = new Set<NodeJS.Timeout>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly deps: ConsumeServiceDeps,
    private readonly listener: MessageListenerConcurrently,
    private readonly consumeThreadMax: number,
    private readonly batchMaxSize: number,
  ) {}

  submitConsumeRequest(msgs: readonly MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    for (let i = 0; i < msgs.length; i += this.batchMaxSize) {
      this.waiting.push({ msgs: msgs.slice(i, i + this.batchMaxSize), pq, mq });
    }
    this.pump();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.consumeThreadMax && this.waitingHead < this.waiting.length) {
      const req = this.waiting[this.waitingHead]!;
      this.waiting[this.waitingHead++] = undefined as unknown as ConsumeRequest;
      if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
        this.waiting.splice(0, this.waitingHead);
        this.waitingHead = 0;
      }
      // a queue dropped while this request waited: its new owner will pull these messages again
      if (req.pq.dropped) continue;
      this.running++;
      req.pq.beginConsume();
      this.run(req)
        .catch((err: unknown) => log.warn({ err, mq: req.mq }, 'consume request failed'))
        .finally(() => {
          req.pq.endConsume();
          this.running--;
          if (this.running === 0) this.notifyIdle();
          this.pump();
        });
    }
  }

  private async run(req: ConsumeRequest): Promise<void> {
    resetRetryTopic(req.msgs, this.deps.group);
    const context: ConsumeConcurrentlyContext = {
      messageQueue: req.mq,
      delayLevelWhenNextConsume: 0,
      ackIndex: 0x7fffffff,
    };
    let status: ConsumeConcurrentlyStatus;
    try {
      status = await this.listener(req.msgs, context);
      if (status !== 'CONSUME_SUCCESS' && status !== 'RECONSUME_LATER') status = 'RECONSUME_LATER';
    } catch (err) {
      log.debug({ err, mq: req.mq }, 'listener threw; messages will be consumed again');
      status = 'RECONSUME_LATER';
    }
    req.pq.lastConsumeTimestamp = Date.now();
    // during shutdown a rejected message is neither sent back nor committed: it stays in its queue
    // for whoever reads it next, which is what an interrupted consumer should leave behind
    if (req.pq.released || (this.stopped && status !== 'CONSUME_SUCCESS')) return;
    await this.processConsumeResult(status, context, req);
  }

  private async processConsumeResult(
    status: ConsumeConcurrentlyStatus,
    context: ConsumeConcurrentlyContext,
    req: ConsumeRequest,
  ): Promise<void> {
    const msgs = req.msgs;
    const ackIndex = status === 'CONSUME_SUCCESS' ? Math.min(context.ackIndex, msgs.length - 1) : -1;
    let done: MessageExt[] = msgs;
    if (ackIndex < msgs.length - 1) {
      if (this.deps.messageModel === 'BROADCASTING') {
        for (let i = ackIndex + 1; i < msgs.length; i++)
          log.warn({ msgId: msgs[i]!.msgId }, 'BROADCASTING, the message consume failed, drop it');
      } else {
        const failed: MessageExt[] = [];
        for (let i = ackIndex + 1; i < msgs.length; i++) {
          const msg = msgs[i]!;
          const ok = await this.deps.sendMessageBack(
            msg,
            context.delayLevelWhenNextConsume,
            req.mq.brokerName,
          );
          if (!ok) {
            msg.reconsumeTimes++;
            failed.push(msg);
          }
        }
        if (failed.length > 0) {
          // neither the broker nor a plain send took them: consume them here again in 5 s
          const failedSet = new Set(failed);
          done = msgs.filter((m) => !failedSet.has(m));
          this.submitLater(failed, req.pq, req.mq);
        }
      }
    }
    const offset = req.pq.removeMessage(done);
    if (offset >= 0 && !req.pq.released) this.deps.offsetStore().updateOffset(req.mq, offset, true);
  }

  private submitLater(msgs: MessageExt[], pq: ProcessQueue, mq: MessageQueue): void {
    const t = setTimeout(() => {
      this.laterTimers.delete(t);
      this.submitConsumeRequest(msgs, pq, mq);
    }, 5000);
    t.unref();
    this.laterTimers.add(t);
  }

  private notifyIdle(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /** Stops starting listener calls and waits up to `awaitMs` for running ones. */
  async shutdown(awaitMs: number): Promise<void> {
    this.stopped = true;
    for (const t of this.laterTimers) clearTimeout(t);
    this.laterTimers.clear();
    this.waiting.length = 0;
    this.waitingHead = 0;
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
