import { toJson } from '../../common/lenient-json.js';
import {
  type ExtFields,
  optionalString,
  parseIntField,
  parseLongField,
  requireString,
} from '../../remoting/custom-header.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { CQ_STORE_UNIT_SIZE } from '../../store/message-store-config.js';
import type { BrokerContext } from '../broker-context.js';
import { cqEntryAt } from '../message-inner.js';

/** 4.9.8 starts from createResponseCommand(null) and only sets the code: its default remark stays. */
const DEFAULT_REMARK = 'not set any response code';

/**
 * 4.9.8 decodes QueryConsumeQueueRequestHeader field by field and swallows a missing or unparsable
 * number (the field stays 0), so only a missing topic fails, later, as a NullPointerException
 * (SYSTEM_ERROR); CometMQ answers that SYSTEM_ERROR with a remark naming the field.
 */
function lenient(ext: ExtFields, name: string, parse: (n: string, s: string) => number): number {
  const v = optionalString(ext, name);
  if (v === undefined) return 0;
  try {
    return parse(name, v);
  } catch {
    return 0;
  }
}

/** SubscriptionData as fastjson writes it: getters by name, filterClassSource left out. */
function subscriptionJson(sd: SubscriptionData): object {
  return {
    classFilterMode: sd.classFilterMode,
    codeSet: sd.codeSet,
    expressionType: sd.expressionType,
    subString: sd.subString,
    subVersion: sd.subVersion,
    tagsSet: sd.tagsSet,
    topic: sd.topic,
  };
}

/**
 * QUERY_CONSUME_QUEUE (AdminBrokerProcessor.queryConsumeQueue, mqadmin queryCq): up to `count` raw
 * ConsumeQueue entries from `index`, with the queue's min and max index, as a
 * QueryConsumeQueueResponseBody. CometMQ has no ConsumeQueueExt (4.9.8's default:
 * enableConsumeQueueExt=false), so no entry has extendDataJson/bitMap/msg and eval stays false, as
 * 4.9.8 answers with that default. With a consumerGroup, the group's subscription to the topic goes
 * along; filterData is JSON.toJSONString of the ConsumerFilterManager entry, which 4.9.8 keeps only
 * for SQL92 subscriptions: CometMQ keeps none and writes "null" for every online group.
 */
export function queryConsumeQueue(ctx: BrokerContext, request: RemotingCommand): RemotingCommand {
  const ext = request.extFields;
  const topic = requireString(ext, 'topic');
  const queueId = lenient(ext, 'queueId', parseIntField);
  const index = lenient(ext, 'index', parseLongField);
  const count = lenient(ext, 'count', parseIntField);
  const group = optionalString(ext, 'consumerGroup');

  const cq = ctx.messageStore.findConsumeQueue(topic, queueId);
  if (!cq) return request.createResponse(ResponseCode.SYSTEM_ERROR, `${queueId}@${topic} is not exist!`);

  let subscriptionData: object | undefined;
  let filterData: string | undefined;
  if (group !== undefined) {
    const sd = ctx.consumerManager.findSubscriptionData(group, topic);
    if (sd) {
      subscriptionData = subscriptionJson(sd);
      filterData = 'null';
    } else filterData = `${group}@${topic} is not online!`;
  }

  // getIndexBuffer: null (answered SUCCESS, no body) below the min offset or at/after the written end
  const entries = cq.readEntries(index, Math.max(count, 1));
  if (!entries || entries.length === 0)
    return request.createResponse(
      ResponseCode.SUCCESS,
      `Index ${index} of ${queueId}@${topic} is not exist!`,
    );
  const n = Math.min(entries.length / CQ_STORE_UNIT_SIZE, Math.max(count, 0));
  const queueData: object[] = [];
  for (let i = 0; i < n; i++) {
    const e = cqEntryAt(entries, i);
    // ConsumeQueueData's getters by name; the null ones (extendDataJson, bitMap, msg) are left out
    queueData.push({ eval: false, physicOffset: e.offset, physicSize: e.size, tagsCode: e.tagsCode });
  }
  const body = {
    filterData,
    maxQueueIndex: cq.getMaxOffsetInQueue(),
    minQueueIndex: cq.getMinOffsetInQueue(),
    queueData,
    subscriptionData,
  };
  return request.createResponse(ResponseCode.SUCCESS, DEFAULT_REMARK, undefined, Buffer.from(toJson(body)));
}
