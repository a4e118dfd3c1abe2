import type { MessageExtBrokerInner } from '../common/message.js';
import { MessageConst } from '../common/message-const.js';
import {
  BODY_CRC_POSITION,
  BORN_HOST_POSITION,
  BORN_TIMESTAMP_POSITION,
  bodyLengthPosition,
  bornHostLength,
  FLAG_POSITION,
  MESSAGE_MAGIC_CODE,
  PHY_POS_POSITION,
  QUEUE_ID_POSITION,
  QUEUE_OFFSET_POSITION,
  readLong,
  SYSFLAG_POSITION,
  storeHostLength,
  storeTimestampPosition,
} from '../common/message-decoder.js';
import { getPropertyFromString } from '../common/message-properties.js';
import { tagsString2tagsCode } from '../common/tag-hash.js';

/** A stored message (SCHEDULE_TOPIC_XXXX entry, half message) made ready to go to its real topic. */
export interface StoredInner {
  /** topic and queue are REAL_TOPIC / REAL_QID ('' and NaN when absent) */
  inner: MessageExtBrokerInner;
  realTopic: string | undefined;
  realQueueId: number;
  /** where the stored message itself sits */
  storedQueueId: number;
  queueOffset: number;
  commitLogOffset: number;
}

/**
 * ScheduleMessageService.messageTimeup and EndTransactionProcessor.endMessageTransaction straight from
 * the stored bytes: body (as stored, still compressed when it was), flag, sysFlag, born time and host,
 * store host, reconsumeTimes and body CRC kept; the properties string kept exactly as stored (4.9.8 rebuilds it
 * from the unchanged map: REAL_TOPIC, REAL_QID, DELAY, WAIT... all stay); tagsCode from TAGS. No
 * properties map is built and re-encoded and hosts stay bytes: this is a per-message path. A stored
 * store host equal to `localStoreHost` is answered as that very buffer (the CommitLog caches the hex
 * of a store host per buffer object: a fresh subarray per message missed that cache every time).
 * Undefined when the bytes are not a whole message.
 */
export function innerFromStoredBytes(buf: Buffer, localStoreHost?: Buffer): StoredInner | undefined {
  if (buf.length < BORN_HOST_POSITION + 8 || buf.readInt32BE(4) !== MESSAGE_MAGIC_CODE) return undefined;
  const total = buf.readInt32BE(0);
  if (total > buf.length) return undefined;
  const sysFlag = buf.readInt32BE(SYSFLAG_POSITION);
  const bornLen = bornHostLength(sysFlag);
  const storeHostAt = storeTimestampPosition(sysFlag) + 8;
  const reconsumeAt = storeHostAt + storeHostLength(sysFlag);
  const bodyLenAt = bodyLengthPosition(sysFlag);
  const bodyLen = buf.readInt32BE(bodyLenAt);
  const topicLenAt = bodyLenAt + 4 + Math.max(bodyLen, 0);
  if (topicLenAt + 1 > total) return undefined;
  const propsLenAt = topicLenAt + 1 + buf[topicLenAt]!;
  if (propsLenAt + 2 > total) return undefined;
  const propsLen = buf.readInt16BE(propsLenAt);
  if (propsLen < 0 || propsLenAt + 2 + propsLen > total) return undefined;
  let storeHost = buf.subarray(storeHostAt, reconsumeAt);
  if (localStoreHost?.equals(storeHost)) storeHost = localStoreHost;
  const props = propsLen > 0 ? buf.toString('utf8', propsLenAt + 2, propsLenAt + 2 + propsLen) : '';
  const realTopic = getPropertyFromString(props, MessageConst.PROPERTY_REAL_TOPIC);
  const realQueueId = Number(getPropertyFromString(props, MessageConst.PROPERTY_REAL_QUEUE_ID));
  return {
    realTopic,
    realQueueId,
    storedQueueId: buf.readInt32BE(QUEUE_ID_POSITION),
    queueOffset: readLong(buf, QUEUE_OFFSET_POSITION),
    commitLogOffset: readLong(buf, PHY_POS_POSITION),
    inner: {
      topic: realTopic ?? '',
      queueId: realQueueId,
      flag: buf.readInt32BE(FLAG_POSITION),
      body: buf.subarray(bodyLenAt + 4, bodyLenAt + 4 + Math.max(bodyLen, 0)),
      propertiesString: props,
      tagsCode: tagsString2tagsCode(getPropertyFromString(props, MessageConst.PROPERTY_TAGS)),
      sysFlag,
      bornTimestamp: readLong(buf, BORN_TIMESTAMP_POSITION),
      bornHost: buf.subarray(BORN_HOST_POSITION, BORN_HOST_POSITION + bornLen),
      storeHost,
      reconsumeTimes: buf.readInt32BE(reconsumeAt),
      preparedTransactionOffset: 0,
      // the body goes back into the CommitLog as it is stored: its CRC is not computed again
      bodyCRC: buf.readInt32BE(BODY_CRC_POSITION),
    },
  };
}
