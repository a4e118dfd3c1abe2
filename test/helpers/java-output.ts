/**
 * Reads what RocketMQ 4.9.8's Java client prints: `SendResult.toString()` and `MessageExt.toString()`
 * (which embeds `Message.toString()`: properties as a Java map, body as `Arrays.toString(byte[])`), so
 * tests can check every message an example program sent or received.
 */

export interface PrintedSendResult {
  sendStatus: string;
  /** the client's unique id (UNIQ_KEY); a batch's ids joined with "," */
  msgId: string;
  /** the broker's offset msgId; a batch's joined with "," */
  offsetMsgId: string;
  topic: string;
  brokerName: string;
  queueId: number;
  queueOffset: number;
}

const SEND_RESULT =
  /SendResult \[sendStatus=(\w+), msgId=([\w,]*), offsetMsgId=([\w,]*), messageQueue=MessageQueue \[topic=([^,]*), brokerName=([^,]*), queueId=(\d+)\], queueOffset=(-?\d+)\]/g;

/** Every `SendResult [...]` in the text, in order. */
export function parseSendResults(text: string): IndexedSendResult[] {
  return [...text.matchAll(SEND_RESULT)].map((m) => ({
    end: m.index + m[0].length,
    sendStatus: m[1]!,
    msgId: m[2]!,
    offsetMsgId: m[3]!,
    topic: m[4]!,
    brokerName: m[5]!,
    queueId: Number(m[6]),
    queueOffset: Number(m[7]),
  }));
}

export interface PrintedMessage {
  brokerName: string;
  queueId: number;
  queueOffset: number;
  /** MessageExt's msgId field as printed: the broker's offset msgId (getMsgId() would give UNIQ_KEY) */
  msgId: string;
  commitLogOffset: number;
  reconsumeTimes: number;
  topic: string;
  flag: number;
  properties: Record<string, string>;
  body: Buffer;
  /** index of the match in the text (order of printing) */
  index: number;
}

export interface IndexedSendResult extends PrintedSendResult {
  /** where the match ends in the text */
  end: number;
}

const MESSAGE_EXT =
  /MessageExt \[brokerName=([^,]*), queueId=(\d+), storeSize=\d+, queueOffset=(\d+), sysFlag=\d+, bornTimestamp=\d+, bornHost=[^,]*, storeTimestamp=\d+, storeHost=[^,]*, msgId=(\w*), commitLogOffset=(\d+), bodyCRC=-?\d+, reconsumeTimes=(\d+), preparedTransactionOffset=-?\d+, toString\(\)=(Message\{[^\n]*?transactionId='[^']*'\})\]/g;

const MESSAGE =
  /^Message\{topic='([^']*)', flag=(-?\d+), properties=\{(.*)\}, body=\[([-\d, ]*)\], transactionId='[^']*'\}$/;

/** `Message{...}` as printed by Message.toString(). */
export function parseMessage(text: string): Pick<PrintedMessage, 'topic' | 'flag' | 'properties' | 'body'> {
  const m = MESSAGE.exec(text);
  if (!m) throw new Error(`not a printed Message: ${text.slice(0, 200)}`);
  return { topic: m[1]!, flag: Number(m[2]), properties: parseJavaMap(m[3]!), body: parseJavaBytes(m[4]!) };
}

/** Every `MessageExt [...]` in the text, in the order printed. */
export function parseMessageExts(text: string): PrintedMessage[] {
  return [...text.matchAll(MESSAGE_EXT)].map((m) => ({
    brokerName: m[1]!,
    queueId: Number(m[2]),
    queueOffset: Number(m[3]),
    msgId: m[4]!,
    commitLogOffset: Number(m[5]),
    reconsumeTimes: Number(m[6]),
    ...parseMessage(m[7]!),
    index: m.index,
  }));
}

/** A Java `HashMap.toString()` of strings without ", " or "=" in keys: `{A=1, B=x y}`. */
export function parseJavaMap(inner: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (inner.trim() === '') return out;
  for (const entry of inner.split(', ')) {
    const eq = entry.indexOf('=');
    if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** `Arrays.toString(byte[])` without its brackets: "72, 101, -1". */
export function parseJavaBytes(inner: string): Buffer {
  if (inner.trim() === '') return Buffer.alloc(0);
  return Buffer.from(inner.split(', ').map((b) => Number(b) & 0xff));
}

/** Java stack traces and exceptions in a program's output (lines naming an Exception or Error). */
export function javaErrors(text: string): string[] {
  return text
    .split('\n')
    .filter((l) => /(Exception|Error)\b/.test(l) && !/^\s+at /.test(l))
    .map((l) => l.trim());
}
