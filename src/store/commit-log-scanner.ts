import { MessageConst, MessageSysFlag, TopicValidator } from '../common/message-const.js';
import {
  BLANK_MAGIC_CODE,
  BODY_CRC_POSITION,
  bodyLengthPosition,
  calMsgLength,
  crc32Masked,
  MAGIC_CODE_POSITION,
  MESSAGE_MAGIC_CODE,
  PHY_POS_POSITION,
  QUEUE_ID_POSITION,
  QUEUE_OFFSET_POSITION,
  readLong,
  SYSFLAG_POSITION,
  storeTimestampPosition,
} from '../common/message-decoder.js';
import { getPropertyFromString } from '../common/message-properties.js';
import { tagsString2tagsCode } from '../common/tag-hash.js';
import type { DispatchRequest } from './put-message-status.js';

/** Result of looking at one entry: a message, the blank end-of-file entry, or something broken. */
export type ScanResult =
  | { kind: 'message'; request: DispatchRequest }
  | { kind: 'blank'; size: number }
  | { kind: 'incomplete' }
  | { kind: 'corrupt'; reason: string };

/** Delay level -> deliver time, for SCHEDULE_TOPIC_XXXX entries (tagsCode holds the deliver time). */
export type DeliverTimeFn = (delayLevel: number, storeTimestamp: number) => number;

/**
 * CommitLog.checkMessageAndReturnSize: parses the entry at `pos` of `buf`, verifying magic code, the
 * total size against the lengths inside, and (when asked) the body CRC; rebuilds the dispatch request
 * (tags code from TAGS, or the deliver time for delayed messages; KEYS; UNIQ_KEY).
 * `incomplete` means the entry runs past the end of `buf` (read more and retry).
 */
export function checkMessageAndReturnSize(
  buf: Buffer,
  pos: number,
  checkCRC: boolean,
  deliverTime: DeliverTimeFn,
): ScanResult {
  if (buf.length - pos < 8) return { kind: 'incomplete' };
  const totalSize = buf.readInt32BE(pos);
  const magic = buf.readInt32BE(pos + MAGIC_CODE_POSITION);
  if (magic === BLANK_MAGIC_CODE) return { kind: 'blank', size: totalSize };
  if (magic !== MESSAGE_MAGIC_CODE)
    return { kind: 'corrupt', reason: `illegal magic code 0x${(magic >>> 0).toString(16)}` };
  if (totalSize < 0) return { kind: 'corrupt', reason: `negative total size ${totalSize}` };
  if (buf.length - pos < totalSize || buf.length - pos < SYSFLAG_POSITION + 4) return { kind: 'incomplete' };
  const sysFlag = buf.readInt32BE(pos + SYSFLAG_POSITION);
  const bodyLenPos = pos + bodyLengthPosition(sysFlag);
  if (bodyLenPos + 4 > pos + totalSize) return { kind: 'corrupt', reason: 'total size too small' };
  const bodyLen = buf.readInt32BE(bodyLenPos);
  const topicLenPos = bodyLenPos + 4 + Math.max(bodyLen, 0);
  if (bodyLen < 0 || topicLenPos + 1 > pos + totalSize)
    return { kind: 'corrupt', reason: `bad body length ${bodyLen}` };
  const topicLen = buf.readUInt8(topicLenPos);
  const propsLenPos = topicLenPos + 1 + topicLen;
  if (propsLenPos + 2 > pos + totalSize) return { kind: 'corrupt', reason: 'bad topic length' };
  const propsLen = buf.readInt16BE(propsLenPos);
  if (propsLen < 0 || calMsgLength(sysFlag, bodyLen, topicLen, propsLen) !== totalSize)
    return { kind: 'corrupt', reason: `total size ${totalSize} does not match the lengths inside` };
  if (checkCRC && bodyLen > 0) {
    const crc = crc32Masked(buf.subarray(bodyLenPos + 4, bodyLenPos + 4 + bodyLen));
    if (crc !== buf.readInt32BE(pos + BODY_CRC_POSITION))
      return { kind: 'corrupt', reason: 'body CRC mismatch' };
  }
  const topic = buf.toString('utf8', topicLenPos + 1, propsLenPos);
  const propertiesString =
    propsLen > 0 ? buf.toString('utf8', propsLenPos + 2, propsLenPos + 2 + propsLen) : '';
  const storeTimestamp = readLong(buf, pos + storeTimestampPosition(sysFlag));
  let tagsCode = 0;
  let keys = '';
  let uniqKey: string | undefined;
  if (propsLen > 0) {
    keys = getPropertyFromString(propertiesString, MessageConst.PROPERTY_KEYS) ?? '';
    uniqKey = getPropertyFromString(propertiesString, MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX);
    tagsCode = tagsString2tagsCode(getPropertyFromString(propertiesString, MessageConst.PROPERTY_TAGS));
    if (topic === TopicValidator.RMQ_SYS_SCHEDULE_TOPIC) {
      const level = Number(getPropertyFromString(propertiesString, MessageConst.PROPERTY_DELAY_TIME_LEVEL));
      if (level > 0) tagsCode = deliverTime(level, storeTimestamp);
    } else if (topic === TopicValidator.RMQ_SYS_WHEEL_TIMER_TOPIC) {
      // timer messages (issue 9): the tags code is the due time, as the broker set it on the way in
      const due = Number(getPropertyFromString(propertiesString, MessageConst.PROPERTY_TIMER_OUT_MS));
      if (Number.isSafeInteger(due)) tagsCode = due;
    }
  }
  return {
    kind: 'message',
    request: {
      topic,
      queueId: buf.readInt32BE(pos + QUEUE_ID_POSITION),
      commitLogOffset: readLong(buf, pos + PHY_POS_POSITION),
      msgSize: totalSize,
      tagsCode,
      storeTimestamp,
      consumeQueueOffset: readLong(buf, pos + QUEUE_OFFSET_POSITION),
      keys,
      uniqKey,
      sysFlag,
      propertiesString,
    },
  };
}

/** Prepared and rolled back transaction messages do not enter ConsumeQueues (CommitLogDispatcherBuildConsumeQueue). */
export function entersConsumeQueue(sysFlag: number): boolean {
  const t = MessageSysFlag.getTransactionValue(sysFlag);
  return t === MessageSysFlag.TRANSACTION_NOT_TYPE || t === MessageSysFlag.TRANSACTION_COMMIT_TYPE;
}

/** Rolled back transaction messages are not indexed (IndexService.buildIndex). */
export function entersIndex(sysFlag: number): boolean {
  return MessageSysFlag.getTransactionValue(sysFlag) !== MessageSysFlag.TRANSACTION_ROLLBACK_TYPE;
}
