import {
  RemotingConnectError,
  RemotingSendRequestError,
  RemotingTimeoutError,
} from '../../remoting/errors.js';
import {
  type ConsumerListByGroupResponseBody,
  decodeConsumerListByGroupResponseBody,
} from '../../remoting/protocol/body/consumer-list-by-group-response-body.js';
import {
  encodeHeartbeatData,
  type HeartbeatData,
  type SubscriptionData,
} from '../../remoting/protocol/body/heartbeat-data.js';
import {
  decodeLockBatchResponseBody,
  encodeLockBatchRequestBody,
  type LockBatchRequestBody,
} from '../../remoting/protocol/body/lock-batch-body.js';
import {
  type ConsumerSendMsgBackRequestHeader,
  encodeConsumerSendMsgBackRequestHeader,
} from '../../remoting/protocol/header/consumer-send-msg-back-request-header.js';
import {
  type CreateTopicRequestHeader,
  encodeCreateTopicRequestHeader,
} from '../../remoting/protocol/header/create-topic-request-header.js';
import { encodeGetConsumerListByGroupRequestHeader } from '../../remoting/protocol/header/get-consumer-list-by-group-request-header.js';
import { encodeGetMaxOffsetRequestHeader } from '../../remoting/protocol/header/get-max-offset-request-header.js';
import { encodeGetMinOffsetRequestHeader } from '../../remoting/protocol/header/get-min-offset-request-header.js';
import { encodeGetRouteInfoRequestHeader } from '../../remoting/protocol/header/get-route-info-request-header.js';
import {
  encodePullMessageRequestHeader,
  type PullMessageRequestHeader,
} from '../../remoting/protocol/header/pull-message-request-header.js';
import { decodePullMessageResponseHeader } from '../../remoting/protocol/header/pull-message-response-header.js';
import { encodeQueryConsumerOffsetRequestHeader } from '../../remoting/protocol/header/query-consumer-offset-request-header.js';
import { encodeSearchOffsetRequestHeader } from '../../remoting/protocol/header/search-offset-request-header.js';
import {
  encodeSendMessageRequestHeaderV2,
  type SendMessageRequestHeader,
} from '../../remoting/protocol/header/send-message-request-header.js';
import { decodeSendMessageResponseHeader } from '../../remoting/protocol/header/send-message-response-header.js';
import { encodeUnregisterClientRequestHeader } from '../../remoting/protocol/header/unregister-client-request-header.js';
import { encodeUpdateConsumerOffsetRequestHeader } from '../../remoting/protocol/header/update-consumer-offset-request-header.js';
import { decodeTopicRouteData, type TopicRouteData } from '../../remoting/protocol/route/topic-route-data.js';
import type { RemotingClient } from '../../remoting/remoting-client.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { MQBrokerError, MQClientError } from '../errors.js';
import { createMessageQueue, type MessageQueue } from '../message-queue.js';
import type { SendResult, SendStatus } from '../producer/send-result.js';
import {
  type EndTransactionRequestHeader,
  encodeCheckClientRequestBody,
  encodeEndTransactionRequestHeader,
} from './client-protocol.js';

export type PullStatus = 'FOUND' | 'NO_NEW_MSG' | 'NO_MATCHED_MSG' | 'OFFSET_ILLEGAL';

/** A pull answer before its body is decoded (PullResultExt). */
export interface PullResultRaw {
  pullStatus: PullStatus;
  nextBeginOffset: number;
  minOffset: number;
  maxOffset: number;
  suggestWhichBrokerId: number;
  body: Buffer | null;
}

/**
 * One method per request the client sends (client/.../impl/MQClientAPIImpl.java). Non-success answers
 * become MQBrokerError (from a broker) or MQClientError (from a NameServer) with code and remark.
 */
export class MQClientAPI {
  private namesrvIndex = 0;

  constructor(
    readonly remoting: RemotingClient,
    private readonly namesrvAddrs: readonly string[],
  ) {}

  /** A NameServer call: sticks to one NameServer and moves on to the next when it cannot be reached. */
  private async invokeNamesrv(request: () => RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (this.namesrvAddrs.length === 0)
      throw new MQClientError('No name server address, please set namesrvAddr');
    let lastErr: unknown;
    for (let i = 0; i < this.namesrvAddrs.length; i++) {
      const addr = this.namesrvAddrs[this.namesrvIndex % this.namesrvAddrs.length]!;
      try {
        return await this.remoting.invokeSync(addr, request(), timeoutMs);
      } catch (err) {
        if (
          !(
            err instanceof RemotingConnectError ||
            err instanceof RemotingSendRequestError ||
            err instanceof RemotingTimeoutError
          )
        )
          throw err;
        lastErr = err;
        this.namesrvIndex = (this.namesrvIndex + 1) % this.namesrvAddrs.length;
      }
    }
    throw lastErr;
  }

  /** GET_ROUTEINFO_BY_TOPIC; TOPIC_NOT_EXIST becomes MQClientError with that code. */
  async getTopicRouteInfoFromNameServer(topic: string, timeoutMs: number): Promise<TopicRouteData> {
    const resp = await this.invokeNamesrv(
      () =>
        RemotingCommand.request(
          RequestCode.GET_ROUTEINFO_BY_TOPIC,
          encodeGetRouteInfoRequestHeader({ topic }),
        ),
      timeoutMs,
    );
    if (resp.code === ResponseCode.SUCCESS && resp.body) return decodeTopicRouteData(resp.body);
    throw new MQClientError(`No route info of this topic: ${topic} (${resp.remark ?? resp.code})`, {
      responseCode: resp.code,
      remark: resp.remark,
    });
  }

  async sendMessage(
    addr: string,
    brokerName: string,
    header: SendMessageRequestHeader,
    body: Buffer,
    timeoutMs: number,
    uniqId: string,
    reply = false,
  ): Promise<SendResult> {
    const request = RemotingCommand.request(
      sendCode(header, reply),
      encodeSendMessageRequestHeaderV2(header),
      body,
    );
    const resp = await this.remoting.invokeSync(addr, request, timeoutMs);
    return processSendResponse(addr, brokerName, header, resp, uniqId);
  }

  async sendMessageOneway(
    addr: string,
    header: SendMessageRequestHeader,
    body: Buffer,
    reply = false,
  ): Promise<void> {
    await this.remoting.invokeOneway(
      addr,
      RemotingCommand.request(
        sendCode(header, reply),
        encodeSendMessageRequestHeaderV2(header),
        body,
      ).markOneway(),
    );
  }

  async pullMessage(
    addr: string,
    header: PullMessageRequestHeader,
    timeoutMs: number,
  ): Promise<PullResultRaw> {
    const resp = await this.remoting.invokeSync(
      addr,
      RemotingCommand.request(RequestCode.PULL_MESSAGE, encodePullMessageRequestHeader(header)),
      timeoutMs,
    );
    let pullStatus: PullStatus;
    switch (resp.code) {
      case ResponseCode.SUCCESS:
        pullStatus = 'FOUND';
        break;
      case ResponseCode.PULL_NOT_FOUND:
        pullStatus = 'NO_NEW_MSG';
        break;
      case ResponseCode.PULL_RETRY_IMMEDIATELY:
        pullStatus = 'NO_MATCHED_MSG';
        break;
      case ResponseCode.PULL_OFFSET_MOVED:
        pullStatus = 'OFFSET_ILLEGAL';
        break;
      default:
        throw new MQBrokerError(resp.code, resp.remark, addr);
    }
    const h = decodePullMessageResponseHeader(resp.extFields);
    return { pullStatus, ...h, body: resp.body };
  }

  private async invokeBroker(
    addr: string,
    request: RemotingCommand,
    timeoutMs: number,
  ): Promise<RemotingCommand> {
    const resp = await this.remoting.invokeSync(addr, request, timeoutMs);
    if (resp.code !== ResponseCode.SUCCESS) throw new MQBrokerError(resp.code, resp.remark, addr);
    return resp;
  }

  private async invokeForOffset(
    addr: string,
    request: RemotingCommand,
    timeoutMs: number,
    field = 'offset',
  ): Promise<number> {
    const resp = await this.invokeBroker(addr, request, timeoutMs);
    const v = Number(resp.extFields[field]);
    if (!Number.isFinite(v)) throw new MQClientError(`broker ${addr} answered without ${field}`);
    return v;
  }

  queryConsumerOffset(
    addr: string,
    consumerGroup: string,
    topic: string,
    queueId: number,
    timeoutMs: number,
  ): Promise<number> {
    return this.invokeForOffset(
      addr,
      RemotingCommand.request(
        RequestCode.QUERY_CONSUMER_OFFSET,
        encodeQueryConsumerOffsetRequestHeader({ consumerGroup, topic, queueId }),
      ),
      timeoutMs,
    );
  }

  async updateConsumerOffset(
    addr: string,
    consumerGroup: string,
    topic: string,
    queueId: number,
    commitOffset: number,
    timeoutMs: number,
    oneway: boolean,
  ): Promise<void> {
    const request = RemotingCommand.request(
      RequestCode.UPDATE_CONSUMER_OFFSET,
      encodeUpdateConsumerOffsetRequestHeader({ consumerGroup, topic, queueId, commitOffset }),
    );
    if (oneway) await this.remoting.invokeOneway(addr, request.markOneway());
    else await this.invokeBroker(addr, request, timeoutMs);
  }

  getMaxOffset(addr: string, topic: string, queueId: number, timeoutMs: number): Promise<number> {
    return this.invokeForOffset(
      addr,
      RemotingCommand.request(
        RequestCode.GET_MAX_OFFSET,
        encodeGetMaxOffsetRequestHeader({ topic, queueId }),
      ),
      timeoutMs,
    );
  }

  getMinOffset(addr: string, topic: string, queueId: number, timeoutMs: number): Promise<number> {
    return this.invokeForOffset(
      addr,
      RemotingCommand.request(
        RequestCode.GET_MIN_OFFSET,
        encodeGetMinOffsetRequestHeader({ topic, queueId }),
      ),
      timeoutMs,
    );
  }

  searchOffset(
    addr: string,
    topic: string,
    queueId: number,
    timestamp: number,
    timeoutMs: number,
  ): Promise<number> {
    return this.invokeForOffset(
      addr,
      RemotingCommand.request(
        RequestCode.SEARCH_OFFSET_BY_TIMESTAMP,
        encodeSearchOffsetRequestHeader({ topic, queueId, timestamp }),
      ),
      timeoutMs,
    );
  }

  async getConsumerIdListByGroup(addr: string, consumerGroup: string, timeoutMs: number): Promise<string[]> {
    const resp = await this.invokeBroker(
      addr,
      RemotingCommand.request(
        RequestCode.GET_CONSUMER_LIST_BY_GROUP,
        encodeGetConsumerListByGroupRequestHeader({ consumerGroup }),
      ),
      timeoutMs,
    );
    if (!resp.body) return [];
    const body: ConsumerListByGroupResponseBody = decodeConsumerListByGroupResponseBody(resp.body);
    return body.consumerIdList;
  }

  async consumerSendMessageBack(
    addr: string,
    header: ConsumerSendMsgBackRequestHeader,
    timeoutMs: number,
  ): Promise<void> {
    await this.invokeBroker(
      addr,
      RemotingCommand.request(
        RequestCode.CONSUMER_SEND_MSG_BACK,
        encodeConsumerSendMsgBackRequestHeader(header),
      ),
      timeoutMs,
    );
  }

  async sendHeartbeat(addr: string, data: HeartbeatData, timeoutMs: number): Promise<void> {
    await this.invokeBroker(
      addr,
      RemotingCommand.request(RequestCode.HEART_BEAT, undefined, encodeHeartbeatData(data)),
      timeoutMs,
    );
  }

  async unregisterClient(
    addr: string,
    clientID: string,
    groups: { producerGroup?: string; consumerGroup?: string },
    timeoutMs: number,
  ): Promise<void> {
    await this.invokeBroker(
      addr,
      RemotingCommand.request(
        RequestCode.UNREGISTER_CLIENT,
        encodeUnregisterClientRequestHeader({ clientID, ...groups }),
      ),
      timeoutMs,
    );
  }

  /** LOCK_BATCH_MQ: the queues of the request the broker now holds for this client. */
  async lockBatchMQ(addr: string, body: LockBatchRequestBody, timeoutMs: number): Promise<MessageQueue[]> {
    const resp = await this.invokeBroker(
      addr,
      RemotingCommand.request(RequestCode.LOCK_BATCH_MQ, undefined, encodeLockBatchRequestBody(body)),
      timeoutMs,
    );
    if (!resp.body) return [];
    return decodeLockBatchResponseBody(resp.body).lockOKMQSet.map((q) =>
      createMessageQueue(q.topic, q.brokerName, q.queueId),
    );
  }

  async unlockBatchMQ(
    addr: string,
    body: LockBatchRequestBody,
    timeoutMs: number,
    oneway: boolean,
  ): Promise<void> {
    const request = RemotingCommand.request(
      RequestCode.UNLOCK_BATCH_MQ,
      undefined,
      encodeLockBatchRequestBody(body),
    );
    if (oneway) await this.remoting.invokeOneway(addr, request.markOneway());
    else await this.invokeBroker(addr, request, timeoutMs);
  }

  /** END_TRANSACTION, oneway as the Java client sends it; `remark` carries a local exception's text. */
  async endTransactionOneway(
    addr: string,
    header: EndTransactionRequestHeader,
    remark: string | null,
  ): Promise<void> {
    const request = RemotingCommand.request(
      RequestCode.END_TRANSACTION,
      encodeEndTransactionRequestHeader(header),
    );
    request.remark = remark;
    await this.remoting.invokeOneway(addr, request.markOneway());
  }

  /**
   * CHECK_CLIENT_CONFIG: whether the broker accepts a non-TAG subscription (SQL92 needs
   * enablePropertyFilter). Its refusal becomes MQBrokerError with the broker's code and remark.
   */
  async checkClientInBroker(
    addr: string,
    group: string,
    clientId: string,
    sd: SubscriptionData,
    timeoutMs: number,
  ): Promise<void> {
    await this.invokeBroker(
      addr,
      RemotingCommand.request(
        RequestCode.CHECK_CLIENT_CONFIG,
        undefined,
        encodeCheckClientRequestBody(clientId, group, sd),
      ),
      timeoutMs,
    );
  }

  async createTopic(addr: string, header: CreateTopicRequestHeader, timeoutMs: number): Promise<void> {
    await this.invokeBroker(
      addr,
      RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC, encodeCreateTopicRequestHeader(header)),
      timeoutMs,
    );
  }
}

/** A reply (MSG_TYPE=reply) goes as SEND_REPLY_MESSAGE_V2, as MQClientAPIImpl.sendMessage does. */
function sendCode(header: SendMessageRequestHeader, reply: boolean): number {
  if (reply) return RequestCode.SEND_REPLY_MESSAGE_V2;
  return header.batch ? RequestCode.SEND_BATCH_MESSAGE : RequestCode.SEND_MESSAGE_V2;
}

/** MQClientAPIImpl.processSendResponse: the three "stored but" codes are statuses, others errors. */
function processSendResponse(
  addr: string,
  brokerName: string,
  header: SendMessageRequestHeader,
  resp: RemotingCommand,
  uniqId: string,
): SendResult {
  let status: SendStatus;
  switch (resp.code) {
    case ResponseCode.FLUSH_DISK_TIMEOUT:
      status = 'FLUSH_DISK_TIMEOUT';
      break;
    case ResponseCode.FLUSH_SLAVE_TIMEOUT:
      status = 'FLUSH_SLAVE_TIMEOUT';
      break;
    case ResponseCode.SLAVE_NOT_AVAILABLE:
      status = 'SLAVE_NOT_AVAILABLE';
      break;
    case ResponseCode.SUCCESS:
      status = 'SEND_OK';
      break;
    default:
      throw new MQBrokerError(resp.code, resp.remark, addr);
  }
  const h = decodeSendMessageResponseHeader(resp.extFields);
  const result: SendResult = {
    status,
    msgId: uniqId,
    offsetMsgId: h.msgId,
    messageQueue: createMessageQueue(header.topic, brokerName, h.queueId),
    queueOffset: h.queueOffset,
  };
  if (h.transactionId !== undefined) result.transactionId = h.transactionId;
  if (h.MSG_REGION !== undefined) result.regionId = h.MSG_REGION;
  if (h.TRACE_ON !== undefined) result.traceOn = h.TRACE_ON !== 'false';
  return result;
}
