import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeCommand } from '../../remoting-codec.js';
import { RemotingCommand, SerializeType } from '../../remoting-command.js';
import {
  decodeSendMessageResponseHeader,
  SendMessageResponseCommand,
} from './send-message-response-header.js';

function generalFrame(
  request: RemotingCommand,
  code: number,
  msgId: string,
  queueId: number,
  queueOffset: number,
  region: string,
  traceOn: boolean,
): Buffer {
  const r = request.createResponse(code, null, {
    msgId,
    queueId,
    queueOffset,
    MSG_REGION: region,
    TRACE_ON: traceOn ? 'true' : 'false',
  });
  return encodeCommand(r);
}

describe('SendMessageResponseCommand', () => {
  it('encodes byte for byte as the general encoding of the same reply', () => {
    const cases: [number, string, number, number, string, boolean][] = [
      [0, '7F00000100002A9F0000000000000000', 3, 0, 'DefaultRegion', true],
      [
        12,
        '7F00000100002A9F00000000000A0000,7F00000100002A9F00000000000A0400',
        0,
        2 ** 40,
        'r"e\\g\u0001',
        false,
      ],
      [0, '', 7, 123456789, '区域', true],
    ];
    for (const serializeType of [SerializeType.JSON, SerializeType.ROCKETMQ]) {
      const request = new RemotingCommand(310, 'JAVA', 409, 4242, 0, null, {}, null, serializeType);
      for (const [code, msgId, queueId, queueOffset, region, traceOn] of cases) {
        const fast = new SendMessageResponseCommand(
          request,
          code,
          msgId,
          queueId,
          queueOffset,
          region,
          traceOn,
        );
        const frame = encodeCommand(fast);
        const general = generalFrame(request, code, msgId, queueId, queueOffset, region, traceOn);
        expect(frame).toEqual(general);
        const max = fast.maxFrameLength();
        if (serializeType === SerializeType.JSON) {
          // in place, at an offset, within the room it asked for, the same bytes
          const out = Buffer.alloc(max + 16, 0xee);
          const end = fast.encodeFrameInto(out, 16);
          expect(end - 16).toBeLessThanOrEqual(max);
          expect(out.subarray(16, end)).toEqual(general);
          expect(out[end]).toBe(0xee);
        } else {
          expect(max).toBe(0);
        }
        const back = decodeFrame(frame, 4, frame.length - 4);
        expect(decodeSendMessageResponseHeader(back.extFields)).toEqual({
          msgId,
          queueId,
          queueOffset,
          MSG_REGION: region,
          TRACE_ON: traceOn ? 'true' : 'false',
        });
      }
    }
  });

  it('writes every number as String() spells it, negative ones included', () => {
    const request = new RemotingCommand(310, 'JAVA', 409, -7, 0, null, {});
    for (const [queueId, queueOffset] of [
      [0, 0],
      [9, 10],
      [-1, 99],
      [2 ** 31 - 1, 2 ** 53 - 1],
    ] as const) {
      const fast = new SendMessageResponseCommand(request, 1, 'AB', queueId, queueOffset, 'R', false);
      const out = Buffer.alloc(fast.maxFrameLength());
      const end = fast.encodeFrameInto(out, 0);
      expect(out.subarray(0, end)).toEqual(generalFrame(request, 1, 'AB', queueId, queueOffset, 'R', false));
    }
  });

  it('patches the last reply in place only while every width matches, in any order of changes', () => {
    const out = Buffer.alloc(4096);
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const ids = ['7F00000100002A9F0000000000000000', '7F00000100002A9F00000000000A0400', 'AB', 'A,B'];
    // the single send's form: the store host's hex, and the CommitLog offset written as hex digits
    const heads = ['7F00000100002A9F', 'AB'];
    const idOffsets = [0, 0xa0400, 2 ** 32 - 1, 2 ** 32, 2 ** 40 + 0xabc, 2 ** 53 - 1];
    const offsets = [0, 9, 10, 99, 100, 12345, 2 ** 31 - 1, 2 ** 31, 2 ** 40 + 7, 2 ** 53 - 1];
    const opaques = [0, 1, 9, 10, -1, -10, 2 ** 31 - 1, -(2 ** 31)];
    for (let i = 0; i < 2000; i++) {
      const request = new RemotingCommand(310, 'JAVA', 409, opaques[rnd(opaques.length)]!, 0, null, {});
      const args: [number, string, number, number, string, boolean] = [
        rnd(4) === 0 ? 10 : 0,
        ids[rnd(ids.length)]!,
        rnd(3) === 0 ? rnd(1000) : rnd(10),
        offsets[rnd(offsets.length)]!,
        rnd(5) === 0 ? '区域' : 'DefaultRegion',
        rnd(2) === 0,
      ];
      let fast = new SendMessageResponseCommand(request, ...args);
      if (rnd(2) === 0) {
        const head = heads[rnd(heads.length)]!;
        const idOffset = idOffsets[rnd(idOffsets.length)]!;
        const [code, , queueId, queueOffset, region, traceOn] = args;
        fast = new SendMessageResponseCommand(
          request,
          code,
          head,
          queueId,
          queueOffset,
          region,
          traceOn,
          idOffset,
        );
        args[1] = head + idOffset.toString(16).toUpperCase().padStart(16, '0');
        expect(fast.msgId).toBe(args[1]);
      }
      const at = rnd(100);
      const end = fast.encodeFrameInto(out, at);
      expect(end - at).toBeLessThanOrEqual(fast.maxFrameLength());
      const general = generalFrame(request, ...args);
      // Buffer#equals first: toEqual walks bytes one by one, slow over 2,000 frames
      if (!out.subarray(at, end).equals(general))
        expect(out.toString('latin1', at, end)).toBe(general.toString('latin1'));
    }
  });

  it('has no in-place form once its fields were read, or with a remark', () => {
    const request = new RemotingCommand(310, 'JAVA', 409, 1, 0, null, {});
    const a = new SendMessageResponseCommand(request, 0, 'AB', 1, 2, 'R', true);
    expect(a.maxFrameLength()).toBeGreaterThan(0);
    void a.extFields;
    expect(a.maxFrameLength()).toBe(0);
    const b = new SendMessageResponseCommand(request, 0, 'AB', 1, 2, 'R', true);
    b.remark = 'note';
    expect(b.maxFrameLength()).toBe(0);
  });

  it('writes what its fields hold once they were read and changed, or a remark was set', () => {
    const request = new RemotingCommand(310, 'JAVA', 409, 1, 0, null, {});
    const a = new SendMessageResponseCommand(request, 0, 'AB', 1, 2, 'R', true);
    a.extFields.transactionId = 'tx';
    expect(JSON.parse(encodeCommand(a).subarray(8).toString()).extFields.transactionId).toBe('tx');
    const b = new SendMessageResponseCommand(request, 0, 'AB', 1, 2, 'R', true);
    b.remark = 'note';
    const decoded = JSON.parse(encodeCommand(b).subarray(8).toString());
    expect(decoded.remark).toBe('note');
    expect(decoded.extFields.msgId).toBe('AB');
  });
});
