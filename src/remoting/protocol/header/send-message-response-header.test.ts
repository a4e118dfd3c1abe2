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
        expect(frame).toEqual(generalFrame(request, code, msgId, queueId, queueOffset, region, traceOn));
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
