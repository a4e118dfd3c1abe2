import { deflateSync } from 'node:zlib';
import { componentLogger } from '../../common/logger.js';
import { MessageConst, MessageSysFlag, MixAll, TopicValidator } from '../../common/message-const.js';
import { encodeBatchMessages } from '../../common/message-decoder.js';
import { encodeProperties } from '../../common/message-properties.js';
import { RemotingError, RemotingTimeoutError } from '../../remoting/errors.js';
import type { SendMessageRequestHeader } from '../../remoting/protocol/header/send-message-request-header.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { MQAbortError, MQBrokerError, MQClientError } from '../errors.js';
import type { MQProducerInner } from '../impl/mq-client-inner.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import type { Message } from '../message.js';
import { createUniqId } from '../message-client-id.js';
import type { MessageQueue } from '../message-queue.js';
import { MQFaultStrategy } from './mq-fault-strategy.js';
import type { SendResult } from './send-result.js';
import { TopicPublishInfo } from './topic-publish-info.js';

const log = componentLogger('client.producer');

/**
 * Answers worth another try on another broker (DefaultMQProducer.retryResponseCodes), plus SYSTEM_BUSY:
 * RocketMQ 4.9.8 gives up on "[TIMEOUT_CLEAN_QUEUE]broker busy", but the broker only sheds load for a
 * moment and the next attempt goes elsewhere or later, within the same time budget.
 */
const RETRY_RESPONSE_CODES: ReadonlySet<number> = new Set([
  ResponseCode.SYSTEM_BUSY,
  ResponseCode.TOPIC_NOT_EXIST,
  ResponseCode.SERVICE_NOT_AVAILABLE,
  ResponseCode.SYSTEM_ERROR,
  ResponseCode.NO_PERMISSION,
  ResponseCode.NO_BUYER_ID,
  ResponseCode.NOT_IN_CURRENT_UNIT,
]);

export interface ProducerSettings {
  group: string;
  sendMsgTimeout: number;
  retryTimesWhenSendFailed: number;
  retryAnotherBrokerWhenNotStoreOK: boolean;
  compressMsgBodyOverHowmuch: number;
  compressLevel: number;
  maxMessageSize: number;
  defaultTopicQueueNums: number;
  createTopicKey: string;
  sendLatencyFaultEnable: boolean;
}

export interface SendOptions {
  /** Overall time budget of the send including retries (sendMsgTimeout). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

type Mode = 'SYNC' | 'ONEWAY';

/** What goes on the wire for one send: a single message, or a batch encoded as one body. */
interface Outgoing {
  topic: string;
  flag: number;
  properties: Record<string, string>;
  body: Buffer;
  batch: boolean;
  uniqId: string;
}

/**
 * The sending kernel (client/.../impl/producer/DefaultMQProducerImpl.java): route lookup with the
 * TBW102 fallback, queue selection with latency fault tolerance, retries on another broker, body
 * compression, SEND_MESSAGE_V2 / SEND_BATCH_MESSAGE.
 */
export class ProducerImpl implements MQProducerInner {
  readonly group: string;
  /** Set by a TransactionProducer: answers the broker's CHECK_TRANSACTION_STATE. */
  checkTransactionState: MQProducerInner['checkTransactionState'];
  private readonly topicPublishInfoTable = new Map<string, TopicPublishInfo>();
  readonly faultStrategy: MQFaultStrategy;

  constructor(
    readonly instance: MQClientInstance,
    readonly settings: ProducerSettings,
  ) {
    this.group = settings.group;
    this.faultStrategy = new MQFaultStrategy(settings.sendLatencyFaultEnable);
  }

  publishTopics(): string[] {
    return [...this.topicPublishInfoTable.keys()];
  }

  isPublishTopicNeedUpdate(topic: string): boolean {
    const info = this.topicPublishInfoTable.get(topic);
    return info !== undefined && !info.ok();
  }

  updateTopicPublishInfo(topic: string, info: TopicPublishInfo): void {
    this.topicPublishInfoTable.set(topic, info);
  }

  /** tryToFindTopicPublishInfo: the cached route, else the NameServer's, else TBW102's. */
  async tryToFindTopicPublishInfo(topic: string): Promise<TopicPublishInfo> {
    let info = this.topicPublishInfoTable.get(topic);
    if (!info?.ok()) {
      if (!info) this.topicPublishInfoTable.set(topic, new TopicPublishInfo());
      await this.instance.updateTopicRouteInfoFromNameServer(topic);
      info = this.topicPublishInfoTable.get(topic)!;
    }
    if (info.haveTopicRouterInfo || info.ok()) return info;
    await this.instance.updateTopicRouteInfoFromNameServer(topic, this.settings.defaultTopicQueueNums);
    return this.topicPublishInfoTable.get(topic)!;
  }

  validate(msg: Message): void {
    const bad = TopicValidator.validateTopic(msg.topic);
    if (bad) throw new MQClientError(bad, { responseCode: ResponseCode.MESSAGE_ILLEGAL });
    if (TopicValidator.isNotAllowedSendTopic(msg.topic)) {
      throw new MQClientError(`Sending message to topic[${msg.topic}] is forbidden.`, {
        responseCode: ResponseCode.MESSAGE_ILLEGAL,
      });
    }
    if (msg.body.length === 0)
      throw new MQClientError('the message body length is zero', {
        responseCode: ResponseCode.MESSAGE_ILLEGAL,
      });
    if (msg.body.length > this.settings.maxMessageSize) {
      throw new MQClientError(`the message body size over max value, MAX: ${this.settings.maxMessageSize}`, {
        responseCode: ResponseCode.MESSAGE_ILLEGAL,
      });
    }
  }

  private single(msg: Message): Outgoing {
    this.validate(msg);
    let uniqId = msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
    if (!uniqId) {
      uniqId = createUniqId();
      // as MessageClientIDSetter.setUniqID: the caller's message carries its id afterwards
      msg.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] = uniqId;
    }
    return {
      topic: msg.topic,
      flag: msg.flag,
      properties: msg.properties,
      body: msg.body,
      batch: false,
      uniqId,
    };
  }

  /** MessageBatch.generateFromList: one topic, no delay, no retry topic; each message keeps its own id. */
  private batch(msgs: readonly Message[]): Outgoing {
    if (msgs.length === 0) throw new MQClientError('the batch is empty');
    const first = msgs[0]!;
    const ids: string[] = [];
    for (const m of msgs) {
      this.validate(m);
      if (m.topic !== first.topic)
        throw new MQClientError('The topic of the messages in one batch should be the same');
      if (m.delayTimeLevel > 0) throw new MQClientError('TimeDelayLevel is not supported for batching');
      if (m.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX))
        throw new MQClientError('Retry Group is not supported for batching');
      if (m.waitStoreMsgOK !== first.waitStoreMsgOK)
        throw new MQClientError('The waitStoreMsgOK of the messages in one batch should the same');
      let id = m.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX];
      if (!id) {
        id = createUniqId();
        m.properties[MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX] = id;
      }
      ids.push(id);
    }
    const body = encodeBatchMessages(msgs);
    if (body.length > this.settings.maxMessageSize) {
      throw new MQClientError(`the batch body size over max value, MAX: ${this.settings.maxMessageSize}`);
    }
    const properties: Record<string, string> = {
      [MessageConst.PROPERTY_WAIT_STORE_MSG_OK]: String(first.waitStoreMsgOK),
    };
    return { topic: first.topic, flag: 0, properties, body, batch: true, uniqId: ids.join(',') };
  }

  async send(msg: Message, opts: SendOptions = {}, mode: Mode = 'SYNC'): Promise<SendResult | undefined> {
    return this.sendDefault(this.single(msg), opts, mode);
  }

  sendBatch(
    msgs: readonly Message[],
    opts: SendOptions = {},
    mq?: MessageQueue,
  ): Promise<SendResult | undefined> {
    const out = this.batch(msgs);
    return mq ? this.sendToQueue(out, mq, opts, 'SYNC') : this.sendDefault(out, opts, 'SYNC');
  }

  /** Sends to one given queue, without retries (as send(msg, mq)). */
  async sendTo(
    msg: Message,
    mq: MessageQueue,
    opts: SendOptions = {},
    mode: Mode = 'SYNC',
  ): Promise<SendResult | undefined> {
    if (mq.topic !== msg.topic) throw new MQClientError(`message's topic not equal mq's topic`);
    return this.sendToQueue(this.single(msg), mq, opts, mode);
  }

  private async sendToQueue(
    out: Outgoing,
    mq: MessageQueue,
    opts: SendOptions,
    mode: Mode,
  ): Promise<SendResult | undefined> {
    const timeout = opts.timeoutMs ?? this.settings.sendMsgTimeout;
    const info = await this.tryToFindTopicPublishInfo(out.topic);
    if (!info.ok())
      throw new MQClientError(`No route info of this topic: ${out.topic}`, {
        responseCode: ResponseCode.TOPIC_NOT_EXIST,
      });
    return this.sendKernel(out, mq, mode, timeout, opts.signal);
  }

  /** Picks the queue with a selector from the topic's queues (sendSelectImpl), no retries. */
  async sendSelect<A>(
    msg: Message,
    selector: (mqs: MessageQueue[], msg: Message, arg: A) => MessageQueue,
    arg: A,
    opts: SendOptions = {},
    mode: Mode = 'SYNC',
  ): Promise<SendResult | undefined> {
    const out = this.single(msg);
    const begin = Date.now();
    const timeout = opts.timeoutMs ?? this.settings.sendMsgTimeout;
    const info = await this.tryToFindTopicPublishInfo(out.topic);
    if (!info.ok())
      throw new MQClientError(`No route info of this topic: ${out.topic}`, {
        responseCode: ResponseCode.TOPIC_NOT_EXIST,
      });
    const mq = selector([...info.messageQueueList], msg, arg);
    if (!mq) throw new MQClientError('select message queue return null.');
    const left = timeout - (Date.now() - begin);
    if (left <= 0) throw new RemotingTimeoutError('sendSelectImpl call timeout', { timeoutMs: timeout });
    return this.sendKernel(out, mq, mode, left, opts.signal);
  }

  private async sendDefault(out: Outgoing, opts: SendOptions, mode: Mode): Promise<SendResult | undefined> {
    const timeout = opts.timeoutMs ?? this.settings.sendMsgTimeout;
    const begin = Date.now();
    let info = await this.tryToFindTopicPublishInfo(out.topic);
    if (!info.ok()) {
      throw new MQClientError(`No route info of this topic: ${out.topic}`, {
        responseCode: ResponseCode.TOPIC_NOT_EXIST,
      });
    }
    const timesTotal = mode === 'SYNC' ? 1 + this.settings.retryTimesWhenSendFailed : 1;
    let lastBrokerName: string | undefined;
    let lastErr: unknown;
    let result: SendResult | undefined;
    for (let times = 0; times < timesTotal; times++) {
      if (opts.signal?.aborted) throw new MQAbortError();
      const mq = this.faultStrategy.selectOneMessageQueue(info, lastBrokerName);
      lastBrokerName = mq.brokerName;
      const start = Date.now();
      const left = timeout - (start - begin);
      if (left <= 0) break;
      try {
        result = await this.sendKernel(out, mq, mode, left, opts.signal);
        this.faultStrategy.updateFaultItem(mq.brokerName, Date.now() - start, false);
        if (mode === 'ONEWAY') return undefined;
        if (result!.status !== 'SEND_OK' && this.settings.retryAnotherBrokerWhenNotStoreOK) continue;
        return result;
      } catch (err) {
        this.faultStrategy.updateFaultItem(mq.brokerName, Date.now() - start, true);
        lastErr = err;
        if (err instanceof MQAbortError) throw err;
        if (err instanceof MQBrokerError && !RETRY_RESPONSE_CODES.has(err.responseCode)) throw err;
        if (!(err instanceof RemotingError || err instanceof MQClientError)) throw err;
        log.debug({ err, broker: mq.brokerName, times }, 'send failed, trying another broker');
        if (err instanceof MQBrokerError && times + 1 < timesTotal) {
          // the broker disagrees with our route (a queue it does not have, a topic it does not know,
          // e.g. a route still borrowed from TBW102): ask the NameServer again before the next try
          await this.instance.updateTopicRouteInfoFromNameServer(out.topic);
          const fresh = this.topicPublishInfoTable.get(out.topic);
          if (fresh?.ok()) info = fresh;
        }
      }
    }
    if (result) return result;
    if (lastErr) throw lastErr;
    throw new RemotingTimeoutError(`sendDefaultImpl call timeout after ${timeout} ms`, {
      timeoutMs: timeout,
    });
  }

  private async sendKernel(
    out: Outgoing,
    mq: MessageQueue,
    mode: Mode,
    timeoutMs: number,
    signal: AbortSignal | undefined,
  ): Promise<SendResult | undefined> {
    let addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    if (!addr) {
      await this.tryToFindTopicPublishInfo(mq.topic);
      addr = this.instance.findBrokerAddressInPublish(mq.brokerName);
    }
    if (!addr) throw new MQClientError(`The broker[${mq.brokerName}] not exist`);
    let sysFlag = 0;
    let body = out.body;
    if (!out.batch && body.length >= this.settings.compressMsgBodyOverHowmuch) {
      // tryToCompressMessage: zlib at compressLevel for bodies of 4 KiB and more
      body = deflateSync(body, { level: this.settings.compressLevel });
      sysFlag |= MessageSysFlag.COMPRESSED_FLAG;
    }
    let properties = out.properties;
    if (properties[MessageConst.PROPERTY_TRANSACTION_PREPARED] === 'true')
      sysFlag |= MessageSysFlag.TRANSACTION_PREPARED_TYPE;
    const header: SendMessageRequestHeader = {
      producerGroup: this.group,
      topic: out.topic,
      defaultTopic: this.settings.createTopicKey,
      defaultTopicQueueNums: this.settings.defaultTopicQueueNums,
      queueId: mq.queueId,
      sysFlag,
      bornTimestamp: Date.now(),
      flag: out.flag,
      reconsumeTimes: 0,
      unitMode: false,
      batch: out.batch,
    };
    if (out.topic.startsWith(MixAll.RETRY_GROUP_TOPIC_PREFIX)) {
      // a consumer re-sending to %RETRY%group: the counters travel in the header, not as properties
      properties = { ...properties };
      const reconsume = properties[MessageConst.PROPERTY_RECONSUME_TIME];
      if (reconsume !== undefined) {
        header.reconsumeTimes = Number.parseInt(reconsume, 10);
        delete properties[MessageConst.PROPERTY_RECONSUME_TIME];
      }
      const max = properties[MessageConst.PROPERTY_MAX_RECONSUME_TIMES];
      if (max !== undefined) {
        header.maxReconsumeTimes = Number.parseInt(max, 10);
        delete properties[MessageConst.PROPERTY_MAX_RECONSUME_TIMES];
      }
    }
    header.properties = encodeProperties(properties);
    // a reply to a request goes as SEND_REPLY_MESSAGE_V2: the broker pushes it to the requester
    const reply = properties[MessageConst.PROPERTY_MESSAGE_TYPE] === MixAll.REPLY_MESSAGE_FLAG;
    if (mode === 'ONEWAY') {
      await this.instance.api.sendMessageOneway(addr, header, body, reply);
      return undefined;
    }
    const call = this.instance.api.sendMessage(
      addr,
      mq.brokerName,
      header,
      body,
      timeoutMs,
      out.uniqId,
      reply,
    );
    return signal ? raceAbort(call, signal) : call;
  }
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    p.catch(() => {});
    return Promise.reject(new MQAbortError());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new MQAbortError());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
