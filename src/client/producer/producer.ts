import { componentLogger } from '../../common/logger.js';
import { MessageConst, PermName } from '../../common/message-const.js';
import type { ClientOptions } from '../client-config.js';
import { MQAbortError, MQClientError } from '../errors.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { getOrCreateMQClientInstance } from '../impl/mq-client-manager.js';
import type { Message, MessageExt } from '../message.js';
import type { MessageQueue } from '../message-queue.js';
import { MessageUtil } from '../message-util.js';
import { ProducerImpl, type SendOptions } from './producer-impl.js';
import { RequestFutureTable } from './request-future-table.js';
import type { SendResult } from './send-result.js';

const log = componentLogger('client.producer');

export interface ProducerOptions extends ClientOptions {
  /** Producer group (producerGroup). */
  group: string;
  /** Time budget of one send, retries included (sendMsgTimeout), ms. Default 3000. */
  sendMsgTimeout?: number;
  /** Extra attempts on another broker after a failed send (retryTimesWhenSendFailed). Default 2. */
  retryTimesWhenSendFailed?: number;
  /** Retry when the broker stored the message but did not flush/replicate in time. Default false. */
  retryAnotherBrokerWhenNotStoreOK?: boolean;
  /** Bodies of this many bytes and more are zlib-compressed (compressMsgBodyOverHowmuch). Default 4096. */
  compressMsgBodyOverHowmuch?: number;
  /** zlib level. Default 5. */
  compressLevel?: number;
  /** Largest body accepted (maxMessageSize). Default 4 MiB. */
  maxMessageSize?: number;
  /** Queues of a topic auto-created on first send (defaultTopicQueueNums). Default 4. */
  defaultTopicQueueNums?: number;
  /** The template topic for auto-creation (createTopicKey). Default TBW102. */
  createTopicKey?: string;
  /** Avoid brokers that recently failed or were slow. Default true. */
  sendLatencyFaultEnable?: boolean;
}

/** Picks a queue for ordered sending: the same `arg` should map to the same queue. */
export type MessageQueueSelector<A> = (mqs: MessageQueue[], msg: Message, arg: A) => MessageQueue;

/** A selector that hashes `arg` onto the queues (SelectMessageQueueByHash). */
export function selectMessageQueueByHash(mqs: MessageQueue[], _msg: Message, arg: unknown): MessageQueue {
  let h = 0;
  const s = String(arg);
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return mqs[Math.abs(h) % mqs.length]!;
}

function isMessageQueue(x: unknown): x is MessageQueue {
  return typeof x === 'object' && x !== null && 'brokerName' in x && 'queueId' in x && 'topic' in x;
}

/**
 * Sends messages (client/.../producer/DefaultMQProducer.java). `send` resolves once the broker
 * answered; retries on another broker, avoids failing brokers and compresses large bodies.
 */
export class Producer {
  readonly group: string;
  protected readonly options: ProducerOptions;
  protected instance: MQClientInstance | undefined;
  protected impl: ProducerImpl | undefined;
  protected state: 'CREATE_JUST' | 'RUNNING' | 'SHUTDOWN_ALREADY' = 'CREATE_JUST';

  constructor(options: ProducerOptions) {
    if (!options.group) throw new MQClientError('producerGroup is null');
    this.group = options.group;
    this.options = options;
  }

  async start(): Promise<void> {
    if (this.state !== 'CREATE_JUST')
      throw new MQClientError(`The producer service state not OK, maybe started once, ${this.state}`);
    const o = this.options;
    const instance = getOrCreateMQClientInstance(o);
    const impl = new ProducerImpl(instance, {
      group: o.group,
      sendMsgTimeout: o.sendMsgTimeout ?? 3000,
      retryTimesWhenSendFailed: o.retryTimesWhenSendFailed ?? 2,
      retryAnotherBrokerWhenNotStoreOK: o.retryAnotherBrokerWhenNotStoreOK ?? false,
      compressMsgBodyOverHowmuch: o.compressMsgBodyOverHowmuch ?? 4096,
      compressLevel: o.compressLevel ?? 5,
      maxMessageSize: o.maxMessageSize ?? 4 * 1024 * 1024,
      defaultTopicQueueNums: o.defaultTopicQueueNums ?? 4,
      createTopicKey: o.createTopicKey ?? 'TBW102',
      sendLatencyFaultEnable: o.sendLatencyFaultEnable ?? true,
    });
    instance.registerProducer(impl);
    instance.start();
    this.instance = instance;
    this.impl = impl;
    this.state = 'RUNNING';
    log.debug({ group: this.group, clientId: instance.clientId }, 'producer started');
  }

  protected running(): ProducerImpl {
    if (this.state !== 'RUNNING' || !this.impl)
      throw new MQClientError(`The producer service state not OK, ${this.state}`);
    return this.impl;
  }

  /** Sends one message; with a queue or a selector, to that queue (ordered sending, no retries). */
  send(msg: Message, opts?: SendOptions): Promise<SendResult>;
  send(msg: Message, mq: MessageQueue, opts?: SendOptions): Promise<SendResult>;
  send<A>(msg: Message, selector: MessageQueueSelector<A>, arg: A, opts?: SendOptions): Promise<SendResult>;
  async send<A>(
    msg: Message,
    second?: SendOptions | MessageQueue | MessageQueueSelector<A>,
    third?: A | SendOptions,
    fourth?: SendOptions,
  ): Promise<SendResult> {
    const impl = this.running();
    let r: SendResult | undefined;
    if (typeof second === 'function') r = await impl.sendSelect(msg, second, third as A, fourth);
    else if (isMessageQueue(second)) r = await impl.sendTo(msg, second, third as SendOptions | undefined);
    else r = await impl.send(msg, second);
    return r!;
  }

  /** Fire and forget: resolves once written to the socket; no retries, no result (sendOneway). */
  async sendOneway(msg: Message, mq?: MessageQueue): Promise<void> {
    const impl = this.running();
    if (mq) await impl.sendTo(msg, mq, {}, 'ONEWAY');
    else await impl.send(msg, {}, 'ONEWAY');
  }

  /** Sends messages of one topic as one request (SEND_BATCH_MESSAGE); msgId lists each UNIQ_KEY. */
  async sendBatch(
    msgs: readonly Message[],
    mqOrOpts?: MessageQueue | SendOptions,
    opts?: SendOptions,
  ): Promise<SendResult> {
    const impl = this.running();
    const r = isMessageQueue(mqOrOpts)
      ? await impl.sendBatch(msgs, opts, mqOrOpts)
      : await impl.sendBatch(msgs, mqOrOpts);
    return r!;
  }

  /**
   * Request/reply (DefaultMQProducerImpl.request, RocketMQ 4.6+): sends `msg` with CORRELATION_ID,
   * REPLY_TO_CLIENT (this client) and TTL, and resolves with the reply a consumer sent back
   * (`producer.reply(request, body)` or `MessageUtil.createReplyMessage`), which the broker pushes to
   * this client. Rejects with MQRequestTimeoutError when no reply came within `timeoutMs` (default
   * sendMsgTimeout), or with the send's error.
   */
  async request(msg: Message, opts: SendOptions = {}): Promise<MessageExt> {
    const impl = this.running();
    const instance = impl.instance;
    const timeout = opts.timeoutMs ?? this.options.sendMsgTimeout ?? 3000;
    const begin = Date.now();
    const correlationId = RequestFutureTable.createCorrelationId();
    msg.properties[MessageConst.PROPERTY_CORRELATION_ID] = correlationId;
    msg.properties[MessageConst.PROPERTY_MESSAGE_REPLY_TO_CLIENT] = instance.clientId;
    msg.properties[MessageConst.PROPERTY_MESSAGE_TTL] = String(timeout);
    if (!instance.getTopicRouteData(msg.topic)) {
      // prepareSendRequest: the broker must know this client before it can push the reply here
      await impl.tryToFindTopicPublishInfo(msg.topic);
      await instance.sendHeartbeatToAllBroker();
    }
    const left = Math.max(1, timeout - (Date.now() - begin));
    const reply = instance.requestFutures.wait(correlationId, left);
    // the reply may come before the send resolves; a failed send fails the request at once
    impl.send(msg, { timeoutMs: left, signal: opts.signal }).catch((err: unknown) => {
      instance.requestFutures.fail(correlationId, err);
    });
    if (!opts.signal) return reply;
    const signal = opts.signal;
    const onAbort = (): void => instance.requestFutures.fail(correlationId, new MQAbortError());
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    return reply.finally(() => signal.removeEventListener('abort', onAbort));
  }

  /**
   * Answers a request message a consumer received: sends MessageUtil.createReplyMessage(request, body)
   * (SEND_REPLY_MESSAGE_V2), which the broker pushes to the requester.
   */
  reply(request: Message, body: Buffer | Uint8Array | string, opts?: SendOptions): Promise<SendResult> {
    return this.send(MessageUtil.createReplyMessage(request, body), opts);
  }

  /** The topic's writable queues (fetchPublishMessageQueues). */
  async fetchPublishMessageQueues(topic: string): Promise<MessageQueue[]> {
    const info = await this.running().tryToFindTopicPublishInfo(topic);
    return [...info.messageQueueList];
  }

  /**
   * Creates or updates a topic on every master that serves `key` (MQAdmin.createTopic); `key` is
   * usually TBW102, whose route lists the brokers that allow auto-creation. Resolves once the
   * NameServer serves the new route, or after 3 s.
   */
  async createTopic(
    key: string,
    newTopic: string,
    queueNum: number,
    opts: { perm?: number; order?: boolean } = {},
  ): Promise<void> {
    const impl = this.running();
    const api = impl.instance.api;
    const timeout = impl.instance.config.requestTimeoutMs;
    const route = await api.getTopicRouteInfoFromNameServer(key, timeout);
    const masters = route.brokerDatas
      .map((b) => b.brokerAddrs.get(0))
      .filter((a): a is string => a !== undefined);
    if (masters.length === 0) throw new MQClientError(`Not found broker, maybe key is wrong: ${key}`);
    for (const addr of masters) {
      await api.createTopic(
        addr,
        {
          topic: newTopic,
          defaultTopic: key,
          readQueueNums: queueNum,
          writeQueueNums: queueNum,
          perm: opts.perm ?? PermName.PERM_READ | PermName.PERM_WRITE,
          topicFilterType: 'SINGLE_TAG',
          topicSysFlag: 0,
          order: opts.order ?? false,
        },
        timeout,
      );
    }
    // Brokers announce a new topic to the NameServers themselves; wait (briefly, bounded) until the
    // route shows every queue, so that a send right after this does not fall back to TBW102's route.
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const now = await api.getTopicRouteInfoFromNameServer(newTopic, timeout).catch(() => undefined);
      if (
        now &&
        now.queueDatas.length >= masters.length &&
        now.queueDatas.every((q) => q.writeQueueNums === queueNum)
      )
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await impl.instance.updateTopicRouteInfoFromNameServer(newTopic);
  }

  async shutdown(): Promise<void> {
    if (this.state !== 'RUNNING') {
      this.state = 'SHUTDOWN_ALREADY';
      return;
    }
    this.state = 'SHUTDOWN_ALREADY';
    await this.instance?.unregisterProducer(this.group);
  }
}
