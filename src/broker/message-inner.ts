import type { MessageExt, MessageExtBrokerInner } from '../common/message.js';
import { MessageConst } from '../common/message-const.js';
import { encodeSocketAddress } from '../common/message-id.js';
import { encodeProperties } from '../common/message-properties.js';
import { tagsString2tagsCode } from '../common/tag-hash.js';

/**
 * A stored message made ready to be stored again (ScheduleMessageService.messageTimeup,
 * EndTransactionProcessor.endMessageTransaction, TransactionalMessageBridge.renewHalfMessageInner):
 * body (as stored: still compressed when it was), flag, sysFlag, born and store host and time and
 * reconsumeTimes kept; tagsCode recomputed from TAGS; topic and queue chosen by the caller.
 */
export function innerFromStored(
  msg: MessageExt,
  topic: string,
  queueId: number,
  properties: Record<string, string>,
): MessageExtBrokerInner {
  return {
    topic,
    queueId,
    flag: msg.flag,
    body: msg.body,
    propertiesString: encodeProperties(properties),
    tagsCode: tagsString2tagsCode(properties[MessageConst.PROPERTY_TAGS]),
    sysFlag: msg.sysFlag,
    bornTimestamp: msg.bornTimestamp,
    bornHost: encodeSocketAddress(msg.bornHost),
    storeHost: encodeSocketAddress(msg.storeHost),
    reconsumeTimes: msg.reconsumeTimes,
    preparedTransactionOffset: 0,
  };
}

/** Reads a ConsumeQueue entry block: 20 bytes each (commit log offset, size, tags code). */
export function cqEntryAt(buf: Buffer, i: number): { offset: number; size: number; tagsCode: number } {
  const p = i * 20;
  return {
    offset: buf.readInt32BE(p) * 0x1_0000_0000 + buf.readUInt32BE(p + 4),
    size: buf.readInt32BE(p + 8),
    tagsCode: buf.readInt32BE(p + 12) * 0x1_0000_0000 + buf.readUInt32BE(p + 16),
  };
}
