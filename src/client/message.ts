import type { MessageExt as StoredMessage } from '../common/message.js';
import { MessageConst } from '../common/message-const.js';
import { MQClientError } from './errors.js';

const TAGS = MessageConst.PROPERTY_TAGS;
const KEYS = MessageConst.PROPERTY_KEYS;
const WAIT = MessageConst.PROPERTY_WAIT_STORE_MSG_OK;
const DELAY = MessageConst.PROPERTY_DELAY_TIME_LEVEL;
const UNIQ_KEY = MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX;

/**
 * The names the SDK and broker set themselves (MessageConst.STRING_HASH_SET: every PROPERTY_* value);
 * user properties may not use them.
 */
export const SYSTEM_PROPERTY_NAMES: ReadonlySet<string> = new Set(
  Object.entries(MessageConst)
    .filter(([k]) => k.startsWith('PROPERTY_'))
    .map(([, v]) => v),
);

export interface MessageOptions {
  topic: string;
  body: Buffer | Uint8Array | string;
  /** One tag; consumers filter on it (`'TagA || TagB'`). */
  tags?: string;
  /** Business keys, indexed by the broker for queries; an array is joined with spaces as RocketMQ does. */
  keys?: string | readonly string[];
  /** User properties, carried end to end. */
  properties?: Record<string, string>;
  /** Delay level (1 = 1s ... 18 = 2h with the broker's default messageDelayLevel); 0 = none. */
  delayTimeLevel?: number;
  /** Timer message: deliver at this epoch ms (RocketMQ 5's TIMER_DELIVER_MS; see setDeliverTimeMs). */
  deliverTimeMs?: number;
  /** The user flag (int32), stored with the message. */
  flag?: number;
  /** Ask the broker to answer only once the message is stored (WAIT), default true as in RocketMQ. */
  waitStoreMsgOK?: boolean;
}

/**
 * A message to send (common/.../message/Message.java). Tags, keys and the delay level live in
 * `properties` under RocketMQ's names, as on the wire; the accessors read and write them there.
 */
export class Message {
  topic: string;
  body: Buffer;
  flag: number;
  /** All properties: user ones and RocketMQ's (TAGS, KEYS, UNIQ_KEY, ...). */
  properties: Record<string, string>;

  constructor(opts: MessageOptions) {
    this.topic = opts.topic;
    this.body = toBuffer(opts.body);
    this.flag = opts.flag ?? 0;
    this.properties = {};
    if (opts.properties) {
      for (const [k, v] of Object.entries(opts.properties)) this.putUserProperty(k, v);
    }
    if (opts.tags) this.tags = opts.tags;
    if (opts.keys !== undefined) this.keys = opts.keys;
    if (opts.delayTimeLevel) this.delayTimeLevel = opts.delayTimeLevel;
    if (opts.deliverTimeMs !== undefined) this.setDeliverTimeMs(opts.deliverTimeMs);
    this.waitStoreMsgOK = opts.waitStoreMsgOK ?? true;
  }

  get tags(): string | undefined {
    return this.properties[TAGS];
  }
  set tags(value: string | undefined) {
    setOrDelete(this.properties, TAGS, value);
  }

  get keys(): string | undefined {
    return this.properties[KEYS];
  }
  set keys(value: string | readonly string[] | undefined) {
    setOrDelete(
      this.properties,
      KEYS,
      typeof value === 'string' || value === undefined ? value : value.join(' '),
    );
  }

  get delayTimeLevel(): number {
    const v = this.properties[DELAY];
    return v === undefined ? 0 : Number.parseInt(v, 10);
  }
  set delayTimeLevel(level: number) {
    setOrDelete(this.properties, DELAY, level > 0 ? String(level) : undefined);
  }

  get waitStoreMsgOK(): boolean {
    return this.properties[WAIT] !== 'false';
  }
  set waitStoreMsgOK(wait: boolean) {
    this.properties[WAIT] = wait ? 'true' : 'false';
  }

  /**
   * RocketMQ 5's Message.setDeliverTimeMs: deliver at this wall-clock time (epoch ms) or, when it has
   * passed, at once. Needs a broker with timer messages (CometMQ, RocketMQ 5); 4.x stores it as a
   * plain property and delivers at once.
   */
  setDeliverTimeMs(epochMs: number): this {
    this.properties[MessageConst.PROPERTY_TIMER_DELIVER_MS] = String(Math.floor(epochMs));
    return this;
  }

  /** RocketMQ 5's Message.setDelayTimeMs: deliver this many ms after the broker stores it. */
  setDelayTimeMs(ms: number): this {
    this.properties[MessageConst.PROPERTY_TIMER_DELAY_MS] = String(Math.floor(ms));
    return this;
  }

  /** RocketMQ 5's Message.setDelayTimeSec: deliver this many seconds after the broker stores it. */
  setDelayTimeSec(sec: number): this {
    this.properties[MessageConst.PROPERTY_TIMER_DELAY_SEC] = String(Math.floor(sec));
    return this;
  }

  /** The timer set with setDeliverTimeMs, 0 when none. */
  get deliverTimeMs(): number {
    const v = this.properties[MessageConst.PROPERTY_TIMER_DELIVER_MS];
    return v === undefined ? 0 : Number(v);
  }

  /** The body as UTF-8 text. */
  bodyText(): string {
    return this.body.toString('utf8');
  }

  getProperty(name: string): string | undefined {
    return this.properties[name];
  }

  /** Message.putUserProperty: rejects RocketMQ's own names and empty names or values. */
  putUserProperty(name: string, value: string): void {
    if (SYSTEM_PROPERTY_NAMES.has(name)) {
      throw new MQClientError(`The Property<${name}> is used by system, input another please`);
    }
    if (!name || value === undefined || value === null || value === '') {
      throw new MQClientError('The name or value of property can not be null or blank string!');
    }
    this.properties[name] = String(value);
  }

  /** The properties a user set, without RocketMQ's own. */
  get userProperties(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(this.properties)) if (!SYSTEM_PROPERTY_NAMES.has(k)) out[k] = v;
    return out;
  }
}

/** The fields a received message has beyond a sent one (MessageExt / MessageClientExt). */
export interface MessageExtFields {
  topic: string;
  body: Buffer;
  flag: number;
  properties: Record<string, string>;
  queueId: number;
  storeSize: number;
  queueOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  storeHost: string;
  /** The broker's id for the stored copy: store host + commit log offset. */
  offsetMsgId: string;
  commitLogOffset: number;
  bodyCRC: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  brokerName: string;
}

/** A received message. `msgId` is the producer's UNIQ_KEY when present, as MessageClientExt.getMsgId. */
export class MessageExt extends Message {
  queueId: number;
  storeSize: number;
  queueOffset: number;
  sysFlag: number;
  bornTimestamp: number;
  bornHost: string;
  storeTimestamp: number;
  storeHost: string;
  offsetMsgId: string;
  commitLogOffset: number;
  bodyCRC: number;
  reconsumeTimes: number;
  preparedTransactionOffset: number;
  brokerName: string;

  constructor(f: MessageExtFields) {
    super({ topic: f.topic, body: f.body });
    this.flag = f.flag;
    // received properties are taken as they are, system names included
    this.properties = f.properties;
    this.queueId = f.queueId;
    this.storeSize = f.storeSize;
    this.queueOffset = f.queueOffset;
    this.sysFlag = f.sysFlag;
    this.bornTimestamp = f.bornTimestamp;
    this.bornHost = f.bornHost;
    this.storeTimestamp = f.storeTimestamp;
    this.storeHost = f.storeHost;
    this.offsetMsgId = f.offsetMsgId;
    this.commitLogOffset = f.commitLogOffset;
    this.bodyCRC = f.bodyCRC;
    this.reconsumeTimes = f.reconsumeTimes;
    this.preparedTransactionOffset = f.preparedTransactionOffset;
    this.brokerName = f.brokerName;
  }

  get msgId(): string {
    return this.properties[UNIQ_KEY] ?? this.offsetMsgId;
  }

  /** A message decoded from the stored layout (pull bodies, check-backs, forwarded admin requests). */
  static fromStored(m: StoredMessage, brokerName: string): MessageExt {
    return new MessageExt({
      topic: m.topic,
      body: m.body,
      flag: m.flag,
      properties: m.properties,
      queueId: m.queueId,
      storeSize: m.storeSize,
      queueOffset: m.queueOffset,
      sysFlag: m.sysFlag,
      bornTimestamp: m.bornTimestamp,
      bornHost: m.bornHost,
      storeTimestamp: m.storeTimestamp,
      storeHost: m.storeHost,
      offsetMsgId: m.msgId,
      commitLogOffset: m.commitLogOffset,
      bodyCRC: m.bodyCRC,
      reconsumeTimes: m.reconsumeTimes,
      preparedTransactionOffset: m.preparedTransactionOffset,
      brokerName,
    });
  }
}

function toBuffer(body: Buffer | Uint8Array | string): Buffer {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

function setOrDelete(props: Record<string, string>, name: string, value: string | undefined): void {
  if (value === undefined || value === '') delete props[name];
  else props[name] = value;
}
