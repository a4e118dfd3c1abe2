/**
 * Looks at a running cluster over the wire (RemotingClient, plain requests, no SDK logic in between), so
 * interop tests can check what a foreign program did: queue offsets, committed consumer offsets, stored
 * messages, connected consumers. Works the same against CometMQ and the reference.
 */
import { parseLenientJson } from '../../src/common/lenient-json.js';
import type { MessageExt } from '../../src/common/message.js';
import { decodeMessages } from '../../src/common/message-decoder.js';
import { encodeProperties } from '../../src/common/message-properties.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { type ExtFieldValue, RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode as RC } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';

export class WireProbe {
  readonly client = new RemotingClient();

  constructor(
    readonly namesrvAddr: string,
    readonly brokerAddr: string,
  ) {}

  invoke(
    addr: string,
    code: number,
    ext?: Record<string, ExtFieldValue>,
    body?: Buffer | null,
    timeoutMs = 10_000,
  ): Promise<RemotingCommand> {
    return this.client.invokeSync(addr, RemotingCommand.request(code, ext, body), timeoutMs);
  }

  /** readQueueNums of the topic on our broker, from the NameServer's route (0 when it has none). */
  async queueCount(topic: string): Promise<number> {
    const r = await this.invoke(this.namesrvAddr, RC.GET_ROUTEINFO_BY_TOPIC, { topic });
    if (r.code !== ResponseCode.SUCCESS || !r.body) return 0;
    const route = parseLenientJson(r.body) as { queueDatas?: { readQueueNums: number }[] };
    return Math.max(0, ...(route.queueDatas ?? []).map((q) => q.readQueueNums));
  }

  async maxOffset(topic: string, queueId: number): Promise<number> {
    const r = await this.invoke(this.brokerAddr, RC.GET_MAX_OFFSET, { topic, queueId });
    return Number(r.extFields.offset ?? -1);
  }

  /** GET_MAX_OFFSET of each queue of the topic (as many as its route has). */
  async maxOffsets(topic: string): Promise<number[]> {
    const n = await this.queueCount(topic);
    const out: number[] = [];
    for (let q = 0; q < n; q++) out.push(await this.maxOffset(topic, q));
    return out;
  }

  /** Polls maxOffsets until their sum reaches `total` (oneway sends land later) or the deadline passes. */
  async waitForTotal(topic: string, total: number, timeoutMs: number): Promise<number[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const offs = await this.maxOffsets(topic);
      if (offs.reduce((a, b) => a + b, 0) >= total || Date.now() > deadline) return offs;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** The committed offset of a group on a queue, or undefined when the broker has none (QUERY_NOT_FOUND). */
  async consumerOffset(group: string, topic: string, queueId: number): Promise<number | undefined> {
    const r = await this.invoke(this.brokerAddr, RC.QUERY_CONSUMER_OFFSET, {
      consumerGroup: group,
      topic,
      queueId,
    });
    return r.code === ResponseCode.SUCCESS ? Number(r.extFields.offset) : undefined;
  }

  async createTopic(topic: string, queueNums: number, perm = 6): Promise<RemotingCommand> {
    return this.invoke(this.brokerAddr, RC.UPDATE_AND_CREATE_TOPIC, {
      topic,
      defaultTopic: 'TBW102',
      readQueueNums: queueNums,
      writeQueueNums: queueNums,
      perm,
      topicFilterType: 'SINGLE_TAG',
      topicSysFlag: 0,
      order: false,
    });
  }

  /**
   * SEND_MESSAGE_V2 of one message (TAGS, KEYS and a UNIQ_KEY as a client sets them); resolves to the
   * answer's extFields (msgId is the offset msgId) or throws on a failure code.
   */
  async send(
    topic: string,
    body: string,
    o: {
      queueId: number;
      tags?: string;
      keys?: string;
      uniqKey?: string;
      delayLevel?: number;
      /** more properties (e.g. TRAN_MSG, PGROUP of a half), after the ones above */
      properties?: Record<string, string>;
      producerGroup?: string;
      /** the header's sysFlag (4: MessageSysFlag.TRANSACTION_PREPARED_TYPE) */
      sysFlag?: number;
    },
  ): Promise<Record<string, string>> {
    const props: Record<string, string> = { WAIT: 'true' };
    if (o.delayLevel) props.DELAY = String(o.delayLevel);
    if (o.tags) props.TAGS = o.tags;
    if (o.keys) props.KEYS = o.keys;
    if (o.uniqKey) props.UNIQ_KEY = o.uniqKey;
    Object.assign(props, o.properties);
    const r = await this.invoke(
      this.brokerAddr,
      RC.SEND_MESSAGE_V2,
      {
        a: o.producerGroup ?? 'INTEROP_PROBE_PG',
        b: topic,
        c: 'TBW102',
        d: 4,
        e: o.queueId,
        f: o.sysFlag ?? 0,
        g: Date.now(),
        h: 0,
        i: encodeProperties(props),
        j: 0,
        k: false,
        l: 16,
        m: false,
      },
      Buffer.from(body),
    );
    if (r.code !== ResponseCode.SUCCESS) throw new Error(`send to ${topic} failed: ${r.code} ${r.remark}`);
    return r.extFields;
  }

  async updateConsumerOffset(group: string, topic: string, queueId: number, offset: number): Promise<number> {
    const r = await this.invoke(this.brokerAddr, RC.UPDATE_CONSUMER_OFFSET, {
      consumerGroup: group,
      topic,
      queueId,
      commitOffset: offset,
    });
    return r.code;
  }

  /**
   * HEART_BEAT as a client with one producer group and one push consumer group (clustering, TAG "*"),
   * so the broker lists this connection for both; resolves to the response code.
   */
  async heartbeat(
    clientId: string,
    producerGroup: string,
    consumerGroup: string,
    topic: string,
  ): Promise<number> {
    const body = {
      clientID: clientId,
      producerDataSet: [{ groupName: producerGroup }],
      consumerDataSet: [
        {
          groupName: consumerGroup,
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
          unitMode: false,
          subscriptionDataSet: [
            {
              classFilterMode: false,
              topic,
              subString: '*',
              tagsSet: [],
              codeSet: [],
              subVersion: Date.now(),
              expressionType: 'TAG',
            },
          ],
        },
      ],
    };
    const r = await this.invoke(this.brokerAddr, RC.HEART_BEAT, {}, Buffer.from(JSON.stringify(body)));
    return r.code;
  }

  /** Every message of one queue from `from` on (plain pulls without subscription, 32 at a time). */
  async pullQueue(topic: string, queueId: number, from = 0): Promise<MessageExt[]> {
    const out: MessageExt[] = [];
    let offset = from;
    for (let i = 0; i < 10_000; i++) {
      const r = await this.invoke(this.brokerAddr, RC.PULL_MESSAGE, {
        consumerGroup: 'INTEROP_PROBE',
        topic,
        queueId,
        queueOffset: offset,
        maxMsgNums: 32,
        // PullSysFlag SUBSCRIPTION: the subscription comes with the pull (the group has no heartbeat)
        sysFlag: 4,
        commitOffset: 0,
        suspendTimeoutMillis: 0,
        subscription: '*',
        subVersion: 0,
        expressionType: 'TAG',
      });
      if (r.code !== ResponseCode.SUCCESS || !r.body) break;
      out.push(...decodeMessages(r.body));
      const next = Number(r.extFields.nextBeginOffset);
      if (!(next > offset)) break;
      offset = next;
    }
    return out;
  }

  /** Every message of every queue of the topic. */
  async pullTopic(topic: string): Promise<MessageExt[]> {
    const n = await this.queueCount(topic);
    const out: MessageExt[] = [];
    for (let q = 0; q < n; q++) out.push(...(await this.pullQueue(topic, q)));
    return out;
  }

  /** Client ids the broker knows for a consumer group (GET_CONSUMER_LIST_BY_GROUP). */
  async consumerIds(group: string): Promise<string[]> {
    const r = await this.invoke(this.brokerAddr, RC.GET_CONSUMER_LIST_BY_GROUP, { consumerGroup: group });
    if (r.code !== ResponseCode.SUCCESS || !r.body) return [];
    return (parseLenientJson(r.body) as { consumerIdList?: string[] }).consumerIdList ?? [];
  }

  /** Polls until the group has `count` consumers, or the deadline passes; resolves to whether it did. */
  async waitForConsumers(group: string, count: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if ((await this.consumerIds(group)).length >= count) return true;
      await new Promise((r) => setTimeout(r, 200));
    }
    return false;
  }

  close(): Promise<void> {
    return this.client.shutdown();
  }
}
