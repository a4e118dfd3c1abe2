import type { MessageExtBrokerInner } from '../../common/message.js';
import { MessageConst } from '../../common/message-const.js';
import {
  BORN_HOST_POSITION,
  BORN_TIMESTAMP_POSITION,
  bornHostLength,
  FLAG_POSITION,
  readLong,
  SYSFLAG_POSITION,
  storeHostLength,
} from '../../common/message-decoder.js';
import { getPropertyFromString } from '../../common/message-properties.js';
import { tagsString2tagsCode } from '../../common/tag-hash.js';

const NV = '\u0001';
const SEP = '\u0002';

/** The encoded properties without `name` (and its separator); `s` itself when absent. */
export function removeProperty(s: string, name: string): string {
  const needle = name + NV;
  let at = s.indexOf(needle);
  while (at > 0 && s.charCodeAt(at - 1) !== 2) at = s.indexOf(needle, at + 1);
  if (at < 0) return s;
  const end = s.indexOf(SEP, at);
  if (end >= 0) return s.slice(0, at) + s.slice(end + 1);
  return s.slice(0, at > 0 ? at - 1 : 0);
}

/** `s` with name=value set: replaced in place of an old value, else appended (no full decode). */
export function setProperty(s: string, name: string, value: string): string {
  const without = getPropertyFromString(s, name) === undefined ? s : removeProperty(s, name);
  if (without.length === 0) return `${name}${NV}${value}`;
  return without.endsWith(SEP) ? `${without}${name}${NV}${value}` : `${without}${SEP}${name}${NV}${value}`;
}

/** What every delivery's properties end with: WAIT=false, then TIMER_DEQUEUE_MS=<now> follows. */
const DELIVERY_TAIL = `${MessageConst.PROPERTY_WAIT_STORE_MSG_OK}${NV}false${SEP}${MessageConst.PROPERTY_TIMER_DEQUEUE_MS}${NV}`;

/** What a delivery takes out of the stored properties, and the string it stores instead. */
interface Delivery {
  props: string;
  topic: string | undefined;
  queueId: string | undefined;
  tags: string | undefined;
  keys: string | undefined;
  uniqKey: string | undefined;
}

/**
 * The delivery's properties in one pass (a wheel delivers up to ~100,000 a second, and a lookup,
 * removal or replacement per property re-scans the string each time): REAL_TOPIC and REAL_QID out,
 * WAIT=false and TIMER_DEQUEUE_MS=now last, the rest in stored order; TAGS, KEYS and UNIQ_KEY read on
 * the way, so the store need not scan for them again.
 */
export function propertiesForDelivery(s: string, now: number): Delivery {
  const d: Delivery = {
    props: '',
    topic: undefined,
    queueId: undefined,
    tags: undefined,
    keys: undefined,
    uniqKey: undefined,
  };
  let out = '';
  for (let i = 0; i < s.length; ) {
    let end = s.indexOf(SEP, i);
    if (end < 0) end = s.length;
    const nv = s.indexOf(NV, i);
    let keep = true;
    if (nv >= 0 && nv < end) {
      const name = s.slice(i, nv);
      const value = end > nv + 1 ? s.slice(nv + 1, end) : undefined;
      switch (name) {
        case MessageConst.PROPERTY_REAL_TOPIC:
          d.topic ??= value;
          keep = false;
          break;
        case MessageConst.PROPERTY_REAL_QUEUE_ID:
          d.queueId ??= value;
          keep = false;
          break;
        case MessageConst.PROPERTY_WAIT_STORE_MSG_OK:
        case MessageConst.PROPERTY_TIMER_DEQUEUE_MS:
          keep = false;
          break;
        case MessageConst.PROPERTY_TAGS:
          d.tags ??= value;
          break;
        case MessageConst.PROPERTY_KEYS:
          d.keys ??= value;
          break;
        case MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX:
          d.uniqKey ??= value;
          break;
      }
    }
    if (keep && end > i) out += end < s.length ? s.slice(i, end + 1) : `${s.slice(i)}${SEP}`;
    i = end + 1;
  }
  d.props = `${out}${DELIVERY_TAIL}${now}`;
  return d;
}

/**
 * TimerMessageStore.convertMessage straight from the stored bytes (no MessageExt, no properties map):
 * back to REAL_TOPIC / REAL_QID without them and with TIMER_DEQUEUE_MS, or (roll) into the timer topic
 * again with TIMER_ROLL_TIMES + 1. Body (as stored, compressed or not), flag, sysFlag, born and store
 * hosts and times, reconsumeTimes kept; WAIT=false as the schedule service's re-puts. undefined when
 * the message has no real topic.
 */
export function reputFromStored(
  b: Buffer,
  roll: boolean,
  now: number,
  timerTopic: string,
  ownStoreHost: Buffer,
): MessageExtBrokerInner | undefined {
  const sysFlag = b.readInt32BE(SYSFLAG_POSITION);
  const bh = bornHostLength(sysFlag);
  const sh = storeHostLength(sysFlag);
  const bornHost = b.subarray(BORN_HOST_POSITION, BORN_HOST_POSITION + bh);
  let p = BORN_HOST_POSITION + bh + 8;
  // the broker's own store host by identity: the CommitLog caches its msgId prefix by it
  const stored = b.subarray(p, p + sh);
  const storeHost = stored.equals(ownStoreHost) ? ownStoreHost : stored;
  p += sh;
  const reconsumeTimes = b.readInt32BE(p);
  p += 12; // reconsumeTimes, preparedTransactionOffset
  const bodyLen = b.readInt32BE(p);
  const body = b.subarray(p + 4, p + 4 + bodyLen);
  p += 4 + bodyLen;
  p += 1 + b[p]!;
  const propsLen = b.readInt16BE(p);
  let props = propsLen > 0 ? b.toString('utf8', p + 2, p + 2 + propsLen) : '';

  let topic: string;
  let queueId: number;
  let tagsCode: number;
  let keys: string | undefined;
  let uniqKey: string | undefined;
  if (roll) {
    props = setProperty(props, MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'false');
    const times = Number(getPropertyFromString(props, MessageConst.PROPERTY_TIMER_ROLL_TIMES) ?? 0) || 0;
    props = setProperty(props, MessageConst.PROPERTY_TIMER_ROLL_TIMES, String(times + 1));
    topic = timerTopic;
    queueId = 0;
    tagsCode = Number(getPropertyFromString(props, MessageConst.PROPERTY_TIMER_OUT_MS));
  } else {
    const d = propertiesForDelivery(props, now);
    queueId = Number(d.queueId);
    if (!d.topic || !Number.isInteger(queueId) || queueId < 0) return undefined;
    topic = d.topic;
    props = d.props;
    tagsCode = tagsString2tagsCode(d.tags);
    keys = d.keys;
    // both known now: '' stands for "none" so the store does not scan the string for them again
    uniqKey = d.uniqKey ?? '';
  }
  return {
    topic,
    queueId,
    flag: b.readInt32BE(FLAG_POSITION),
    body,
    propertiesString: props,
    tagsCode,
    sysFlag,
    bornTimestamp: readLong(b, BORN_TIMESTAMP_POSITION),
    bornHost,
    storeHost,
    reconsumeTimes,
    preparedTransactionOffset: 0,
    keys,
    uniqKey,
  };
}
