import { componentLogger } from '../../common/logger.js';
import type { MessageExt } from '../../common/message.js';
import { MessageConst, MixAll, PermName, TopicValidator } from '../../common/message-const.js';
import { decodeMessage, encodeStoredMessage } from '../../common/message-decoder.js';
import { encodeSocketAddress } from '../../common/message-id.js';
import type { ScheduledTask, Scheduler } from '../../common/scheduler.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import type { BrokerContext } from '../broker-context.js';
import { cqEntryAt, innerFromStored } from '../message-inner.js';
import { opOffsetCacheOf } from './op-offset-cache.js';
import { lookStoredMessage } from './transactional-message-bridge.js';

const log = componentLogger('transaction-check');

const HALF = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
const OP = TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC;
const GROUP = MixAll.CID_SYS_RMQ_TRANS;
/** Bounds per queue and run, so a large backlog of halves cannot hold the event loop. */
const MAX_PROCESS_TIME_LIMIT = 60_000;
const BATCH = 32;
/** Halves walked between two yields to the event loop. */
const YIELD_EVERY = 256;
const yieldToEventLoop = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * TransactionalMessageCheckService + TransactionalMessageServiceImpl.check (4.9.8): every
 * transactionCheckInterval, for each queue of RMQ_SYS_TRANS_HALF_TOPIC, read op messages (their bodies
 * are the queue offsets of finished halves) from the op queue's consumed offset, then walk the halves
 * from the half queue's consumed offset: a finished one is skipped; one checked transactionCheckMax
 * times already is moved to TRANS_CHECK_MAX_TIME_TOPIC; one older than transactionTimeOut (or its
 * CHECK_IMMUNITY_TIME_IN_SECONDS) is put back at the end of the half queue with
 * TRANSACTION_CHECK_TIMES + 1, and the copy is sent to a live producer of its group as
 * CHECK_TRANSACTION_STATE (oneway). Both offsets are kept under group CID_RMQ_SYS_TRANS in
 * consumerOffset.json, so the state survives a restart.
 */
export class TransactionalMessageCheckService {
  private task: ScheduledTask | undefined;
  private running = false;

  constructor(
    private readonly ctx: BrokerContext,
    private readonly scheduler: Scheduler,
  ) {}

  start(): void {
    const interval = this.ctx.brokerConfig.transactionCheckInterval;
    this.task = this.scheduler.every('transaction-check', interval, () => this.check());
  }

  shutdown(): void {
    this.task?.cancel();
  }

  async check(): Promise<void> {
    if (this.running || this.ctx.isSlave()) return;
    this.running = true;
    try {
      const store = this.ctx.messageStore;
      for (let queueId = 0; ; queueId++) {
        if (!store.findConsumeQueue(HALF, queueId)) break;
        await this.checkQueue(queueId);
      }
    } finally {
      this.running = false;
    }
  }

  private async checkQueue(queueId: number): Promise<void> {
    const b = this.ctx.brokerConfig;
    const store = this.ctx.messageStore;
    const offsets = this.ctx.consumerOffsetManager;
    const startTime = store.now();
    let halfOffset = Math.max(
      offsets.queryOffset(GROUP, HALF, queueId),
      store.getMinOffsetInQueue(HALF, queueId),
    );
    let opOffset = Math.max(offsets.queryOffset(GROUP, OP, queueId), store.getMinOffsetInQueue(OP, queueId));
    if (halfOffset < 0) halfOffset = 0;
    if (opOffset < 0) opOffset = 0;

    // fillOpRemoveMap over the whole op queue from its offset: half offset -> op offset
    const removeMap = new Map<number, number>();
    const doneOp = new Set<number>();
    const opMax = store.getMaxOffsetInQueue(OP, queueId);
    const cache = opOffsetCacheOf(store);
    for (let o = opOffset; o < opMax; ) {
      const entries = store.findConsumeQueue(OP, queueId)?.readEntries(o, BATCH);
      if (!entries || entries.length === 0) break;
      const n = entries.length / 20;
      for (let i = 0; i < n; i++) {
        let done = cache.lookup(queueId, o + i);
        if (done === undefined) {
          const buf = await lookStoredMessage(store, cqEntryAt(entries, i).offset);
          done = buf ? Number(decodeMessage(buf).body.toString('utf8')) : Number.NaN;
        }
        if (!Number.isInteger(done) || done < halfOffset) doneOp.add(o + i);
        else removeMap.set(done, o + i);
      }
      o += n;
      // a long op backlog must not hold the event loop (reads from the page cache do not yield)
      await yieldToEventLoop();
    }

    const halfMax = store.getMaxOffsetInQueue(HALF, queueId);
    let i = halfOffset;
    while (i < halfMax) {
      if (store.now() - startTime > MAX_PROCESS_TIME_LIMIT) break;
      if ((i - halfOffset) % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
      const opAt = removeMap.get(i);
      if (opAt !== undefined) {
        removeMap.delete(i);
        doneOp.add(opAt);
        i++;
        continue;
      }
      const entry = store.findConsumeQueue(HALF, queueId)?.readEntries(i, 1);
      if (!entry || entry.length < 20) break;
      const buf = await lookStoredMessage(store, cqEntryAt(entry, 0).offset);
      if (!buf) {
        i++;
        continue;
      }
      const msg = decodeMessage(buf, 0, { decompressBody: false });
      if (msg.storeTimestamp >= startTime) break;
      const times = Number(msg.properties[MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES] ?? 0);
      if (times >= b.transactionCheckMax) {
        await this.resolveDiscardMsg(msg);
        i++;
        continue;
      }
      const immunitySec = Number(msg.properties[MessageConst.PROPERTY_CHECK_IMMUNITY_TIME_IN_SECONDS]);
      const immunity =
        Number.isFinite(immunitySec) && immunitySec > 0 ? immunitySec * 1000 : b.transactionTimeOut;
      const age = store.now() - msg.bornTimestamp;
      // younger halves follow (the queue is in store order): stop here and look again next run
      if (age >= 0 && age < immunity) break;
      msg.properties[MessageConst.PROPERTY_TRANSACTION_CHECK_TIMES] = String(times + 1);
      const renewed = await this.putBackHalfMsgQueue(msg);
      if (!renewed) break;
      this.resolveHalfMsg(renewed);
      i++;
    }
    if (i !== halfOffset) offsets.commitOffset('broker', GROUP, HALF, queueId, i);
    // op offset advances over the leading run of finished op messages (calculateOpOffset)
    let newOp = opOffset;
    while (doneOp.has(newOp)) newOp++;
    if (newOp !== opOffset) offsets.commitOffset('broker', GROUP, OP, queueId, newOp);
    cache.trim(queueId, newOp);
  }

  /** putBackHalfMsgQueue (renewHalfMessageInner): the half, with its new check count, at the queue's end. */
  private async putBackHalfMsgQueue(msg: MessageExt): Promise<MessageExt | undefined> {
    const inner = innerFromStored(msg, HALF, msg.queueId, msg.properties);
    const r = await this.ctx.messageStore.putMessage(inner);
    if (r.status !== 'PUT_OK' || !r.result) {
      log.warn({ status: r.status }, 'put back half message failed');
      return undefined;
    }
    return {
      ...msg,
      queueOffset: r.result.queueOffset,
      commitLogOffset: r.result.wroteOffset,
      msgId: r.result.msgId,
      storeTimestamp: r.result.storeTimestamp,
    };
  }

  /** AbstractTransactionalMessageCheckListener.sendCheckMessage: CHECK_TRANSACTION_STATE, oneway. */
  private resolveHalfMsg(msg: MessageExt): void {
    const group = msg.properties[MessageConst.PROPERTY_PRODUCER_GROUP] ?? '';
    const channel = this.ctx.producerManager.getAvailableChannel(group);
    if (!channel) {
      log.debug({ group }, 'no live producer to check a half message with');
      return;
    }
    const uniq = msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
    const body = encodeStoredMessage({
      ...msg,
      topic: msg.properties[MessageConst.PROPERTY_REAL_TOPIC] ?? msg.topic,
      queueId: Number(msg.properties[MessageConst.PROPERTY_REAL_QUEUE_ID] ?? msg.queueId),
      bornHost: encodeSocketAddress(msg.bornHost),
      storeHost: encodeSocketAddress(msg.storeHost),
    });
    const req = RemotingCommand.request(
      RequestCode.CHECK_TRANSACTION_STATE,
      {
        tranStateTableOffset: msg.queueOffset,
        commitLogOffset: msg.commitLogOffset,
        msgId: uniq,
        transactionId: uniq,
        offsetMsgId: msg.msgId,
      },
      body,
    ).markOneway();
    channel.invokeOneway(req);
  }

  /** DefaultTransactionalMessageCheckListener.resolveDiscardMsg: kept in TRANS_CHECK_MAX_TIME_TOPIC. */
  private async resolveDiscardMsg(msg: MessageExt): Promise<void> {
    const topic = TopicValidator.RMQ_SYS_TRANS_CHECK_MAX_TIME_TOPIC;
    this.ctx.topicConfigManager.createTopicInSendMessageBackMethod(
      topic,
      1,
      PermName.PERM_READ | PermName.PERM_WRITE,
      0,
    );
    const r = await this.ctx.messageStore.putMessage(innerFromStored(msg, topic, 0, msg.properties));
    log.info({ status: r.status, msgId: msg.msgId }, 'half message checked too many times, discarded');
  }
}
