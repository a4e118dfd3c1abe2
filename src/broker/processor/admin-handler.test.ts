import { describe, expect, it } from 'vitest';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';
import { AdminHandlerTable } from './admin-handler.js';

const channel = {} as RemotingChannel;

describe('AdminHandlerTable', () => {
  it('dispatches by request code and lists its codes', async () => {
    const t = new AdminHandlerTable();
    t.set(17, (r) => r.createResponse(ResponseCode.SUCCESS, 'seventeen'));
    t.set(18, async (r) => r.createResponse(ResponseCode.SYSTEM_ERROR, 'eighteen'));
    expect(t.codes).toEqual([17, 18]);
    expect((await t.dispatch(RemotingCommand.request(17, {}), channel)).remark).toBe('seventeen');
    expect((await t.dispatch(RemotingCommand.request(18, {}), channel)).code).toBe(ResponseCode.SYSTEM_ERROR);
  });

  it("answers a code it has no handler for as 4.9.8's getUnknownCmdResponse", async () => {
    const r = await new AdminHandlerTable().dispatch(RemotingCommand.request(4242, {}), channel);
    expect(r.code).toBe(ResponseCode.REQUEST_CODE_NOT_SUPPORTED);
    expect(r.remark).toBe(' request type 4242 not supported');
  });
});
