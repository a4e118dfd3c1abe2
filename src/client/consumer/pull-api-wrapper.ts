import { MessageConst, PullSysFlag } from '../../common/message-const.js';
import { decodeMessages } from '../../common/message-decoder.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import { MQClientError } from '../errors.js';
import type { PullStatus } from '../impl/mq-client-api.js';
import type { MQClientInstance } from '../impl/mq-client-instance.js';
import { MessageExt } from '../message.js';
import { type MessageQueue, messageQueueKey } from '../message-queue.js';

const MASTER_ID = 0;

export interface PullResult {
  pullStatus: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  msgFoundList: MessageExt[];
}

export interface PullArgs {
  mq: MessageQueue;
  subscription: SubscriptionData;
  offset: number;
  maxNums: number;
  commitOffset: number;
  commitOffsetEnable: boolean;
  /** Long polling: how long the broker may hold the request when nothing is new (0 = answer at once). */
  suspendTimeoutMillis: number;
  timeoutMillis: number;
  litePull?: boolean;
}

/**
 * PULL_MESSAGE and what follows it (client/.../impl/consumer/PullAPIWrapper.java): the broker id the
 * broker last suggested for each queue (suggestWhichBrokerId, e.g. a slave when the master is behind),
 * decoding, client-side tag filtering (the broker filters by tag hash, which can collide).
 */
export class PullAPIWrapper {
  private readonly pullFromWhichNodeTable = new Map<string, number>();

  constructor(
    private readonly instance: MQClientInstance,
    private readonly group: string,
  ) {}

  async pullKernelImpl(a: PullArgs): Promise<PullResult> {
    const key = messageQueueKey(a.mq);
    const brokerId = this.pullFromWhichNodeTable.get(key) ?? MASTER_ID;
    let found = this.instance.findBrokerAddressInSubscribe(a.mq.brokerName, brokerId, false);
    if (!found) {
      await this.instance.updateTopicRouteInfoFromNameServer(a.mq.topic);
      found = this.instance.findBrokerAddressInSubscribe(a.mq.brokerName, brokerId, false);
    }
    if (!found) throw new MQClientError(`The broker[${a.mq.brokerName}] not exist`);
    // a slave cannot store offsets: never ask it to commit one
    const sysFlag = PullSysFlag.buildSysFlag(
      a.commitOffsetEnable && !found.slave,
      a.suspendTimeoutMillis > 0,
      true,
      false,
      a.litePull ?? false,
    );
    const raw = await this.instance.api.pullMessage(
      found.brokerAddr,
      {
        consumerGroup: this.group,
        topic: a.mq.topic,
        queueId: a.mq.queueId,
        queueOffset: a.offset,
        maxMsgNums: a.maxNums,
        sysFlag,
        commitOffset: a.commitOffset,
        suspendTimeoutMillis: a.suspendTimeoutMillis,
        subscription: a.subscription.subString,
        subVersion: a.subscription.subVersion,
        expressionType: a.subscription.expressionType,
      },
      a.timeoutMillis,
    );
    this.pullFromWhichNodeTable.set(key, raw.suggestWhichBrokerId);
    const result: PullResult = {
      pullStatus: raw.pullStatus,
      nextBeginOffset: raw.nextBeginOffset,
      minOffset: raw.minOffset,
      maxOffset: raw.maxOffset,
      msgFoundList: [],
    };
    if (raw.pullStatus === 'FOUND' && raw.body) {
      result.msgFoundList = this.decode(a.mq, raw.body, a.subscription, raw.minOffset, raw.maxOffset);
    }
    return result;
  }

  private decode(
    mq: MessageQueue,
    body: Buffer,
    sd: SubscriptionData,
    minOffset: number,
    maxOffset: number,
  ): MessageExt[] {
    const tags = sd.tagsSet.length > 0 && !sd.classFilterMode ? new Set(sd.tagsSet) : undefined;
    const minStr = String(minOffset);
    const maxStr = String(maxOffset);
    const out: MessageExt[] = [];
    for (const m of decodeMessages(body)) {
      if (tags) {
        const t = m.properties[MessageConst.PROPERTY_TAGS];
        if (t === undefined || !tags.has(t)) continue;
      }
      // as processPullResult: the queue's bounds at pull time ride along as properties
      m.properties[MessageConst.PROPERTY_MIN_OFFSET] = minStr;
      m.properties[MessageConst.PROPERTY_MAX_OFFSET] = maxStr;
      out.push(MessageExt.fromStored(m, mq.brokerName));
    }
    return out;
  }
}
