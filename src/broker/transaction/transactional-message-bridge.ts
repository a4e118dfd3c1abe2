import { randomBytes } from 'node:crypto';
import type { MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst, MessageSysFlag, TopicValidator } from '../../common/message-const.js';
import { MESSAGE_MAGIC_CODE } from '../../common/message-decoder.js';
import { getPropertyFromString, putPropertyToString } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import { memoryForPageCache } from '../../store/get-message.js';
import type { PutMessageResult } from '../../store/put-message-status.js';
import { innerFromStoredBytes, type StoredInner } from '../stored-message-inner.js';
import { opOffsetCacheOf } from './op-offset-cache.js';

/** TransactionalMessageUtil.REMOVETAG: the tag of op messages that mark a half message done. */
export const REMOVETAG = 'd';
const REMOVETAG_CODE = tagsString2tagsCode(REMOVETAG);

/**
 * TransactionalMessageBridge.parseHalfMessageInner: a prepared message is stored in
 * RMQ_SYS_TRANS_HALF_TOPIC queue 0 with its real topic and queue in REAL_TOPIC / REAL_QID, and its
 * transaction type reset to NOT_TYPE so that the store indexes it in the half topic's ConsumeQueue.
 */
export function parseHalfMessageInner(msg: MessageExtBrokerInner): void {
  let props = putPropertyToString(msg.propertiesString, MessageConst.PROPERTY_REAL_TOPIC, msg.topic);
  props = putPropertyToString(props, MessageConst.PROPERTY_REAL_QUEUE_ID, String(msg.queueId));
  msg.propertiesString = props;
  msg.sysFlag = MessageSysFlag.resetTransactionValue(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE);
  msg.topic = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
  msg.queueId = 0;
}

export function isTransactionPrepared(propertiesString: string): boolean {
  return getPropertyFromString(propertiesString, MessageConst.PROPERTY_TRANSACTION_PREPARED) === 'true';
}

/** One read that covers most messages whole (1 KiB bodies and their properties). */
const READ_GUESS = 4096;

/**
 * The stored message at a commit log offset (lookMessageByOffset), for END_TRANSACTION and the check
 * service. A half message is looked up right after it was written, so its bytes are in the page cache:
 * as the pull path does for that region (store/get-message.ts), one synchronous read of a size guess
 * costs less than two trips to the libuv pool (measured: the two async reads were ~20% of the broker's
 * time under `cometmq bench transaction`). Older offsets are read off the event loop.
 */
export async function lookStoredMessage(
  store: DefaultMessageStore,
  commitLogOffset: number,
): Promise<Buffer | undefined> {
  const cl = store.commitLog;
  const max = cl.getMaxOffset();
  if (commitLogOffset < 0 || commitLogOffset >= max) return undefined;
  if (max - commitLogOffset > memoryForPageCache(store.config))
    return (await store.lookMessageByOffset(commitLogOffset)) ?? undefined;
  const guess = Math.min(
    READ_GUESS,
    max - commitLogOffset,
    cl.rollNextFile(commitLogOffset) - commitLogOffset,
  );
  if (guess < 8) return undefined;
  let buf = Buffer.allocUnsafe(guess);
  if (!cl.readIntoSync(commitLogOffset, buf, 0, guess)) return undefined;
  const size = buf.readInt32BE(0);
  if (size <= 0 || commitLogOffset + size > max) return undefined;
  if (size <= guess) buf = buf.subarray(0, size);
  else {
    buf = Buffer.allocUnsafe(size);
    if (!cl.readIntoSync(commitLogOffset, buf, 0, size)) return undefined;
  }
  return buf.readInt32BE(4) === MESSAGE_MAGIC_CODE ? buf : undefined;
}

/**
 * The half message at a commit log offset as END_TRANSACTION needs it: where it sits, and the message
 * to put into its real topic on commit, built from the stored bytes (innerFromStoredBytes: properties
 * string as stored, no map decoded and re-encoded).
 */
export async function lookHalfForEnd(
  store: DefaultMessageStore,
  commitLogOffset: number,
): Promise<StoredInner | undefined> {
  const buf = await lookStoredMessage(store, commitLogOffset);
  return buf ? innerFromStoredBytes(buf) : undefined;
}

/**
 * UNIQ_KEY of op messages: unique per broker run (a random prefix, then a counter), 32 hex chars as
 * MessageClientIDSetter's; no random bytes drawn per message (that was ~5% of a transaction's cost).
 */
const UNIQ_PREFIX = randomBytes(8).toString('hex').toUpperCase();
let uniqCounter = 0;
function uniqId(): string {
  uniqCounter = (uniqCounter + 1) % 0x1_0000_0000_0000;
  return UNIQ_PREFIX + uniqCounter.toString(16).toUpperCase().padStart(16, '0');
}

/**
 * TransactionalMessageBridge.addRemoveTagInTransactionOp: an op message in RMQ_SYS_TRANS_OP_HALF_TOPIC
 * (same queue id as the half) whose body is the half message's queue offset, tag "d". Commit and
 * rollback both write one; the check service skips halves that have one.
 */
export function putOpMessage(
  store: DefaultMessageStore,
  half: { queueId: number; queueOffset: number },
  now: number,
): Promise<PutMessageResult> {
  const props =
    `${MessageConst.PROPERTY_TAGS}\u0001${REMOVETAG}\u0002` +
    `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}\u0001false\u0002` +
    `${MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX}\u0001${uniqId()}`;
  const put = store.putMessage({
    topic: TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
    queueId: half.queueId,
    flag: 0,
    body: Buffer.from(String(half.queueOffset), 'utf8'),
    propertiesString: props,
    tagsCode: REMOVETAG_CODE,
    sysFlag: 0,
    bornTimestamp: now,
    bornHost: store.storeHost,
    storeHost: store.storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
  });
  return put.then((r) => {
    if (r.status === 'PUT_OK' && r.result)
      opOffsetCacheOf(store).record(half.queueId, r.result.queueOffset, half.queueOffset);
    return r;
  });
}
