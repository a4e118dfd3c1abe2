/**
 * END_TRANSACTION commit frames for the transaction generator, as DefaultMQProducerImpl.endTransaction
 * sends them (oneway, flag 2), written straight into a batch buffer from fixed pieces and the bytes of
 * the half's acknowledgement (msgId, queueOffset): the same bytes a header string would give, without
 * building, measuring and copying a string per transaction.
 */
import { intChars, putIntAt } from '../src/remoting/ascii-frame-writer.js';
import { RequestCode } from '../src/remoting/request-code.js';

const lit = (s: string): Buffer => Buffer.from(s, 'latin1');
const P1 = lit('","commitLogOffset":"');
const P2 = lit('","commitOrRollback":"8","fromTransactionCheck":"false","msgId":"');
const P3 = lit('","transactionId":"');
const P4 = lit('"},"flag":2,"language":"JAVA","opaque":');
const P5 = lit(',"serializeTypeCurrentRPC":"JSON","version":409}');
const MSG_ID_KEY = lit('"msgId":"');
const QUEUE_OFFSET_KEY = lit('"queueOffset":"');
/** An offset message id: 32 hex characters, the last 16 the commit log offset. */
const MSG_ID_CHARS = 32;

export class EndTransactionFrames {
  private readonly p0: Buffer;
  /** Bytes one frame can take at most. */
  readonly maxFrameBytes: number;

  constructor(producerGroup: string) {
    this.p0 = lit(
      `{"code":${RequestCode.END_TRANSACTION},"extFields":{"producerGroup":"${producerGroup}","tranStateTableOffset":"`,
    );
    this.maxFrameBytes =
      8 + this.p0.length + P1.length + P2.length + P3.length + P4.length + P5.length + 2 * MSG_ID_CHARS + 60;
  }

  /**
   * Writes the commit of the half whose acknowledgement header is res[start, end) at dst[at]; the
   * frame's length, 0 when the header lacks an offset msgId or queueOffset.
   */
  write(dst: Buffer, at: number, res: Buffer, start: number, end: number, opaque: number): number {
    const id = res.indexOf(MSG_ID_KEY, start);
    if (id < 0 || id + MSG_ID_KEY.length + MSG_ID_CHARS > end) return 0;
    const idAt = id + MSG_ID_KEY.length;
    if (res[idAt + MSG_ID_CHARS] !== 0x22) return 0;
    const qo = res.indexOf(QUEUE_OFFSET_KEY, start);
    if (qo < 0 || qo >= end) return 0;
    const qoAt = qo + QUEUE_OFFSET_KEY.length;
    const qoEnd = res.indexOf(0x22, qoAt);
    if (qoEnd < 0 || qoEnd >= end) return 0;
    let commitLogOffset = 0;
    for (let i = idAt + 16; i < idAt + MSG_ID_CHARS; i++)
      commitLogOffset = commitLogOffset * 16 + hex(res[i]!);
    if (!(commitLogOffset >= 0)) return 0;

    let p = at + 8;
    p += this.p0.copy(dst, p);
    p += res.copy(dst, p, qoAt, qoEnd);
    p += P1.copy(dst, p);
    const offChars = intChars(commitLogOffset);
    putIntAt(dst, p, commitLogOffset, offChars);
    p += offChars;
    p += P2.copy(dst, p);
    p += res.copy(dst, p, idAt, idAt + MSG_ID_CHARS);
    p += P3.copy(dst, p);
    p += res.copy(dst, p, idAt, idAt + MSG_ID_CHARS);
    p += P4.copy(dst, p);
    const opChars = intChars(opaque);
    putIntAt(dst, p, opaque, opChars);
    p += opChars;
    p += P5.copy(dst, p);
    dst.writeInt32BE(p - at - 4, at);
    dst.writeInt32BE(p - at - 8, at + 4);
    return p - at;
  }
}

/** A hex digit's value; NaN for anything else (the frame is then not written). */
function hex(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return Number.NaN;
}
