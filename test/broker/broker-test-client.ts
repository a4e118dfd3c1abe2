/** Thin request helpers over RemotingClient for the broker integration tests (no SDK logic in between). */

import { PullSysFlag } from '../../src/common/message-const.js';
import { encodeProperties } from '../../src/common/message-properties.js';
import {
  buildSubscriptionData,
  encodeHeartbeatData,
} from '../../src/remoting/protocol/body/heartbeat-data.js';
import { decodeKVTable } from '../../src/remoting/protocol/body/kv-table.js';
import { encodePullMessageRequestHeader } from '../../src/remoting/protocol/header/pull-message-request-header.js';
import {
  encodeSendMessageRequestHeader,
  encodeSendMessageRequestHeaderV2,
} from '../../src/remoting/protocol/header/send-message-request-header.js';
import { RemotingClient } from '../../src/remoting/remoting-client.js';
import { type ExtFieldValue, RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';

export class BrokerTestClient {
  readonly client = new RemotingClient();

  constructor(readonly brokerAddr: string) {}

  invoke(
    code: number,
    ext?: Record<string, ExtFieldValue>,
    body?: Buffer | null,
    timeoutMs = 10_000,
  ): Promise<RemotingCommand> {
    return this.client.invokeSync(this.brokerAddr, RemotingCommand.request(code, ext, body), timeoutMs);
  }

  send(
    topic: string,
    body: Buffer | string,
    opts: {
      queueId?: number;
      tags?: string;
      keys?: string;
      v1?: boolean;
      props?: Record<string, string>;
      defaultTopicQueueNums?: number;
    } = {},
  ): Promise<RemotingCommand> {
    const props: Record<string, string> = { ...(opts.props ?? {}) };
    if (opts.tags) props.TAGS = opts.tags;
    if (opts.keys) props.KEYS = opts.keys;
    props.WAIT = 'true';
    const h = {
      producerGroup: 'PG',
      topic,
      defaultTopic: 'TBW102',
      defaultTopicQueueNums: opts.defaultTopicQueueNums ?? 4,
      queueId: opts.queueId ?? 0,
      sysFlag: 0,
      bornTimestamp: Date.now(),
      flag: 0,
      properties: encodeProperties(props),
      reconsumeTimes: 0,
      unitMode: false,
      batch: false,
    };
    return opts.v1
      ? this.invoke(RequestCode.SEND_MESSAGE, encodeSendMessageRequestHeader(h), Buffer.from(body))
      : this.invoke(RequestCode.SEND_MESSAGE_V2, encodeSendMessageRequestHeaderV2(h), Buffer.from(body));
  }

  pull(
    group: string,
    topic: string,
    queueId: number,
    queueOffset: number,
    opts: {
      subscription?: string;
      suspendMs?: number;
      maxMsgNums?: number;
      commitOffset?: number;
      noSubscriptionFlag?: boolean;
      subVersion?: number;
    } = {},
  ): Promise<RemotingCommand> {
    let sysFlag = 0;
    if (opts.commitOffset !== undefined) sysFlag |= PullSysFlag.FLAG_COMMIT_OFFSET;
    if (opts.suspendMs !== undefined) sysFlag |= PullSysFlag.FLAG_SUSPEND;
    if (!opts.noSubscriptionFlag) sysFlag |= PullSysFlag.FLAG_SUBSCRIPTION;
    const header = encodePullMessageRequestHeader({
      consumerGroup: group,
      topic,
      queueId,
      queueOffset,
      maxMsgNums: opts.maxMsgNums ?? 32,
      sysFlag,
      commitOffset: opts.commitOffset ?? 0,
      suspendTimeoutMillis: opts.suspendMs ?? 0,
      subscription: opts.subscription ?? '*',
      subVersion: opts.subVersion ?? 0,
      expressionType: 'TAG',
    });
    return this.invoke(RequestCode.PULL_MESSAGE, header, null, (opts.suspendMs ?? 0) + 10_000);
  }

  heartbeat(
    clientID: string,
    group: string,
    topic: string,
    subString = '*',
    subVersion = Date.now(),
  ): Promise<RemotingCommand> {
    const body = encodeHeartbeatData({
      clientID,
      producerDataSet: [{ groupName: 'PG' }],
      consumerDataSet: [
        {
          groupName: group,
          consumeType: 'CONSUME_PASSIVELY',
          messageModel: 'CLUSTERING',
          consumeFromWhere: 'CONSUME_FROM_LAST_OFFSET',
          unitMode: false,
          subscriptionDataSet: [buildSubscriptionData(topic, subString, subVersion)],
        },
      ],
    });
    return this.invoke(RequestCode.HEART_BEAT, undefined, body);
  }

  createTopic(topic: string, queueNums = 4, perm = 6): Promise<RemotingCommand> {
    return this.invoke(RequestCode.UPDATE_AND_CREATE_TOPIC, {
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

  close(): Promise<void> {
    return this.client.shutdown();
  }
}

/** GET_BROKER_RUNTIME_INFO as a map (its KVTable body). */
export async function brokerRuntimeInfo(c: BrokerTestClient): Promise<Map<string, string>> {
  const r = await c.invoke(RequestCode.GET_BROKER_RUNTIME_INFO);
  if (r.code !== 0) throw new Error(`GET_BROKER_RUNTIME_INFO answered ${r.code}: ${r.remark}`);
  return new Map(Object.entries(decodeKVTable(r.body!).table));
}
