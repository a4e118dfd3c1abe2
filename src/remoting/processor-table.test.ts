import { describe, expect, it } from 'vitest';
import { ProcessorTable } from './processor-table.js';
import type { RemotingChannel } from './remoting-channel.js';
import { RemotingCommand } from './remoting-command.js';
import { ResponseCode } from './response-code.js';

/** A channel that keeps what it is sent. */
function channel(): RemotingChannel & { sent: RemotingCommand[] } {
  const sent: RemotingCommand[] = [];
  return {
    isOpen: true,
    remoteAddress: '127.0.0.1:1',
    send: (c: RemotingCommand) => sent.push(c),
    sent,
  } as never;
}

describe('ProcessorTable', () => {
  it('dispatches indexed and large codes to their processors, and the rest to the default', () => {
    const table = new ProcessorTable();
    for (const code of [0, 10, 1023, 1024, 65535, -3]) {
      table.register(code, (req) => req.createResponse(ResponseCode.SUCCESS, `handled ${code}`));
    }
    const ch = channel();
    const codes = [0, 10, 1023, 1024, 65535, -3, 11, 1025, 2.5];
    for (const code of codes) table.dispatch(new RemotingCommand(code, 'JAVA', 0, code, 0, null, {}), ch);
    expect(ch.sent.map((r) => [r.code, r.remark])).toEqual([
      ...[0, 10, 1023, 1024, 65535, -3].map((c) => [ResponseCode.SUCCESS, `handled ${c}`]),
      ...[11, 1025, 2.5].map((c) => [
        ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
        ` request type ${c} not supported`,
      ]),
    ]);
  });
});
