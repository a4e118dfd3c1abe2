import { randomBytes } from 'node:crypto';
import type { MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst, MessageSysFlag, TopicValidator } from '../../common/message-const.js';
import { MESSAGE_MAGIC_CODE } from '../../common/message-decoder.js';
import { putOffsetHex } from '../../common/message-id.js';
import { getPropertyFromString, putPropertyToString } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';
import { readLatin1 } from '../../remoting/utf8.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
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
export function parseHalfMessageInner(msg: MessageExtBrokerInner, hasRealTopicOrQueue?: boolean): void {
  msg.propertiesString = withRealTopicAndQueue(
    msg.propertiesString,
    msg.topic,
    msg.queueId,
    hasRealTopicOrQueue,
  );
  msg.sysFlag = MessageSysFlag.resetTransactionValue(msg.sysFlag, MessageSysFlag.TRANSACTION_NOT_TYPE);
  msg.topic = TopicValidator.RMQ_SYS_TRANS_HALF_TOPIC;
  msg.queueId = 0;
}

const REAL_TOPIC_NEEDLE = `${MessageConst.PROPERTY_REAL_TOPIC}\u0001`;
const REAL_QID_NEEDLE = `${MessageConst.PROPERTY_REAL_QUEUE_ID}\u0001`;

function hasProperty(props: string, needle: string): boolean {
  return props.startsWith(needle) || props.includes(`\u0002${needle}`);
}

function hasRealTopicOrQueueIn(props: string): boolean {
  return hasProperty(props, REAL_TOPIC_NEEDLE) || hasProperty(props, REAL_QID_NEEDLE);
}

/**
 * REAL_TOPIC and REAL_QID added to a properties string. A prepared message does not carry them, so
 * they are appended to the string as sent (it decodes to the same map as 4.9.8's re-serialised one);
 * decoding and re-encoding the whole string per half message was ~3% of a transaction's broker time.
 */
export function withRealTopicAndQueue(
  props: string,
  topic: string,
  queueId: number,
  /** known already (the send path's property scan): the string is not searched again */
  hasRealTopicOrQueue = hasRealTopicOrQueueIn(props),
): string {
  if (hasRealTopicOrQueue) {
    const p = putPropertyToString(props, MessageConst.PROPERTY_REAL_TOPIC, topic);
    return putPropertyToString(p, MessageConst.PROPERTY_REAL_QUEUE_ID, String(queueId));
  }
  const sep = props.length === 0 || props.charCodeAt(props.length - 1) === 2 ? '' : '\u0002';
  return `${props}${sep}${REAL_TOPIC_NEEDLE}${topic}\u0002${REAL_QID_NEEDLE}${queueId}`;
}

export function isTransactionPrepared(propertiesString: string): boolean {
  return getPropertyFromString(propertiesString, MessageConst.PROPERTY_TRANSACTION_PREPARED) === 'true';
}

/** One read that covers most messages whole (1 KiB bodies and their properties). */
const READ_GUESS = 4096;

/**
 * The stored message at a commit log offset (lookMessageByOffset), for END_TRANSACTION and the check
 * service. A half message is looked up right after it was written, so its bytes are in the page cache:
 * as the pull path does for that region (store/get-message.ts), a synchronous read costs less than two
 * trips to the libuv pool (measured: the two async reads were ~20% of the broker's time under
 * `cometmq bench transaction`). Older offsets are read off the event loop.
 */
export async function lookStoredMessage(
  store: DefaultMessageStore,
  commitLogOffset: number,
): Promise<Buffer | undefined> {
  const hot = readStoredSync(store, commitLogOffset, undefined);
  if (hot !== COLD) return hot;
  return (await store.lookMessageByOffset(commitLogOffset)) ?? undefined;
}

/** readStoredSync's answer for an offset outside the page-cache region (read it off the event loop). */
export const COLD = Symbol('cold');

/**
 * One synchronous read of the stored message at `commitLogOffset` when it is in the page-cache
 * region, into `scratch` when given and large enough (the caller must be done with the bytes before
 * it reads again: END_TRANSACTION hands them to a put, which copies them synchronously), else into a
 * new buffer. COLD when the offset is older than that region.
 */
export function readStoredSync(
  store: DefaultMessageStore,
  commitLogOffset: number,
  scratch: Buffer | undefined,
): Buffer | undefined | typeof COLD {
  const cl = store.commitLog;
  const max = cl.getMaxOffset();
  if (commitLogOffset < 0 || commitLogOffset >= max) return undefined;
  if (max - commitLogOffset > cl.memoryForPageCache()) return COLD;
  const guess = Math.min(
    READ_GUESS,
    max - commitLogOffset,
    cl.rollNextFile(commitLogOffset) - commitLogOffset,
  );
  if (guess < 8) return undefined;
  let buf = scratch ?? Buffer.allocUnsafe(guess);
  if (!cl.readIntoSync(commitLogOffset, buf, 0, guess)) return undefined;
  const size = buf.readInt32BE(0);
  if (size <= 0 || commitLogOffset + size > max) return undefined;
  if (size <= guess) buf = buf.subarray(0, size);
  else {
    if (size <= buf.length) {
      if (!cl.readIntoSync(commitLogOffset + guess, buf, guess, size - guess)) return undefined;
    } else {
      buf = Buffer.allocUnsafe(size);
      if (!cl.readIntoSync(commitLogOffset, buf, 0, size)) return undefined;
    }
    buf = buf.subarray(0, size);
  }
  return buf.readInt32BE(4) === MESSAGE_MAGIC_CODE ? buf : undefined;
}

/** END_TRANSACTION's read buffer: one per process, reused (no 4 KiB allocation per transaction). */
const halfScratch = Buffer.allocUnsafeSlow(256 * 1024);

/**
 * The half message at a commit log offset as END_TRANSACTION needs it: where it sits, and the message
 * to put into its real topic on commit, built from the stored bytes (innerFromStoredBytes: properties
 * string as stored, no map decoded and re-encoded). Synchronous for a recent half: its body and hosts
 * then point into a shared buffer, valid until the next call (put the message before yielding).
 * COLD when the half is older than the page-cache region: lookHalfForEnd reads it off the event loop.
 */
export function lookHalfForEndSync(
  store: DefaultMessageStore,
  commitLogOffset: number,
): StoredInner | undefined | typeof COLD {
  const buf = readStoredSync(store, commitLogOffset, halfScratch);
  if (buf === COLD) return COLD;
  return buf ? innerFromStoredBytes(buf, store.storeHost) : undefined;
}

/** lookHalfForEndSync's counterpart for an old half: its own buffer, read off the event loop. */
export async function lookHalfForEnd(
  store: DefaultMessageStore,
  commitLogOffset: number,
): Promise<StoredInner | undefined> {
  const buf = await lookStoredMessage(store, commitLogOffset);
  return buf ? innerFromStoredBytes(buf, store.storeHost) : undefined;
}

/**
 * TransactionalMessageBridge.addRemoveTagInTransactionOp: an op message in RMQ_SYS_TRANS_OP_HALF_TOPIC
 * (same queue id as the half) whose body is the half message's queue offset, tag "d". Commit and
 * rollback both write one; the check service skips halves that have one.
 */
const OP_PROPERTIES_PREFIX =
  `${MessageConst.PROPERTY_TAGS}\u0001${REMOVETAG}\u0002` +
  `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}\u0001false\u0002` +
  `${MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX}\u0001`;

/**
 * An op message's properties, UNIQ_KEY last: unique per broker run (a random prefix, then a counter),
 * 32 hex chars as MessageClientIDSetter's; no random bytes drawn per message (that was ~5% of a
 * transaction's cost). The counter's digits are patched into these bytes and the string read off them
 * in one piece: concatenated, it was a rope that the store's length check and the index's hash each
 * flattened again.
 */
const opProperties = Buffer.from(
  `${OP_PROPERTIES_PREFIX}${randomBytes(8).toString('hex').toUpperCase()}${'0'.repeat(16)}`,
  'latin1',
);
const OP_UNIQ_KEY_AT = OP_PROPERTIES_PREFIX.length;
let uniqCounter = 0;

/** The next op message's properties string; its UNIQ_KEY is the 32 characters from OP_UNIQ_KEY_AT. */
function nextOpProperties(): string {
  uniqCounter = (uniqCounter + 1) % 0x1_0000_0000_0000;
  putOffsetHex(opProperties, opProperties.length - 16, uniqCounter);
  return readLatin1(opProperties, 0, opProperties.length);
}

export function putOpMessage(
  store: DefaultMessageStore,
  half: { queueId: number; queueOffset: number },
  now: number,
): Promise<PutMessageResult> {
  return new Promise((resolve) => putOpMessageThen(store, half, now, resolve));
}

/** putOpMessage answered through a callback (DefaultMessageStore.putMessageThen says why). */
export function putOpMessageThen(
  store: DefaultMessageStore,
  half: { queueId: number; queueOffset: number },
  now: number,
  done: (r: PutMessageResult) => void,
): void {
  const props = nextOpProperties();
  const queueId = half.queueId;
  const halfOffset = half.queueOffset;
  const msg: MessageExtBrokerInner = {
    topic: TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
    queueId,
    flag: 0,
    body: Buffer.from(String(halfOffset), 'latin1'),
    propertiesString: props,
    tagsCode: REMOVETAG_CODE,
    sysFlag: 0,
    bornTimestamp: now,
    bornHost: store.storeHost,
    storeHost: store.storeHost,
    reconsumeTimes: 0,
    preparedTransactionOffset: 0,
    // known here: the store need not look them up in the properties string
    keys: '',
    uniqKey: props.slice(OP_UNIQ_KEY_AT),
    waitStoreMsgOK: false,
    delayTimeLevel: 0,
  };
  store.putMessageThen(msg, (r) => {
    if (r.status === 'PUT_OK' && r.result)
      opOffsetCacheOf(store).record(queueId, r.result.queueOffset, halfOffset);
    done(r);
  });
}
