/** The benchmarks' SEND_MESSAGE_V2 template decodes as a broker decodes it, once patched in place. */
import { describe, expect, it } from 'vitest';
import { CODE_KEY, headerInt, headerIntAt, headerStr, OPAQUE_KEY } from '../../bench/frame-connection.js';
import { buildSendFrameTemplate, SendFrameBatch } from '../../bench/send-frame-template.js';
import { decodeFrame } from '../../src/remoting/remoting-codec.js';
import { RequestCode } from '../../src/remoting/request-code.js';

describe('send-frame-template', () => {
  const tpl = buildSendFrameTemplate({
    producerGroup: 'G',
    topic: 'T',
    queueNums: 8,
    size: 30,
    sysFlag: 4,
    properties: 'WAIT\u0001true\u0002',
  });

  it('patches opaque, queueId and bornTimestamp into the frames of a reused buffer', () => {
    const written: Buffer[] = [];
    const batch = new SendFrameBatch(
      {
        write: (buf, onWritten) => {
          written.push(Buffer.from(buf));
          onWritten();
        },
      },
      tpl,
      4,
    );
    batch.add(99999, 1, 1600000000000);
    batch.add(1234567890, 7, 1700000000000);
    batch.send();
    // the buffer comes back from the pool: a shorter opaque must not keep the longer one's digits
    batch.add(12, 3, 1700000000001);
    batch.send();
    expect(written.map((b) => b.length)).toEqual([2 * tpl.frame.length, tpl.frame.length]);
    const dst = written[0]!;
    const at = tpl.frame.length;
    const cmd = decodeFrame(dst, at + 4, dst.readInt32BE(at));
    expect(cmd.code).toBe(RequestCode.SEND_MESSAGE_V2);
    expect(cmd.opaque).toBe(1234567890);
    expect(cmd.extFields).toMatchObject({ a: 'G', b: 'T', d: '8', e: '007', f: '4', g: '1700000000000' });
    expect(cmd.extFields.i).toBe('WAIT\u0001true\u0002');
    expect(cmd.body?.toString()).toBe('abcdefghijklmnopqrstuvwxyzabcd');
    const again = decodeFrame(written[1]!, 4, written[1]!.readInt32BE(0));
    expect(again.opaque).toBe(12);
    expect(again.extFields).toMatchObject({ e: '003', g: '1700000000001' });
    // the template itself stays unpatched for the next buffer
    expect(tpl.frame.toString('latin1')).toContain('"e":"@@@"');
  });

  it('reads response header fields by scanning the text', () => {
    const h = '{"code":0,"extFields":{"msgId":"AB12","queueOffset":"42"},"opaque": -3}';
    expect(headerInt(h, '"code":')).toBe(0);
    expect(headerInt(h, '"opaque":')).toBe(-3);
    expect(headerInt(h, '"remark":')).toBe(-1);
    expect(headerStr(h, '"msgId":"')).toBe('AB12');
    expect(headerStr(h, '"queueOffset":"')).toBe('42');
    expect(headerStr(h, '"nope":"')).toBe('');
    const b = Buffer.from(`xx${h}{"code":7`, 'latin1');
    expect(headerIntAt(b, 2, 2 + h.length, CODE_KEY)).toBe(0);
    expect(headerIntAt(b, 2, 2 + h.length, OPAQUE_KEY, true)).toBe(-3);
    expect(headerIntAt(b, 2, 2 + h.length, Buffer.from('"remark":'))).toBe(-1);
  });
});
