/** The benchmarks' SEND_MESSAGE_V2 template decodes as a broker decodes it, once patched in place. */
import { describe, expect, it } from 'vitest';
import { headerInt, headerStr } from '../../bench/frame-connection.js';
import { buildSendFrameTemplate, writeSendFrame } from '../../bench/send-frame-template.js';
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

  it('patches opaque, queueId and bornTimestamp into a copy at any offset', () => {
    const dst = Buffer.alloc(5 + tpl.frame.length);
    writeSendFrame(tpl, dst, 5, 1234567890, 7, '1700000000000');
    const cmd = decodeFrame(dst, 5 + 4, dst.readInt32BE(5));
    expect(cmd.code).toBe(RequestCode.SEND_MESSAGE_V2);
    expect(cmd.opaque).toBe(1234567890);
    expect(cmd.extFields).toMatchObject({ a: 'G', b: 'T', d: '8', e: '007', f: '4', g: '1700000000000' });
    expect(cmd.extFields.i).toBe('WAIT\u0001true\u0002');
    expect(cmd.body?.toString()).toBe('abcdefghijklmnopqrstuvwxyzabcd');
    // the template itself stays unpatched for the next copy
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
  });
});
