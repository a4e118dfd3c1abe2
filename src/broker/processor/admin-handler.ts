import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';

/** One admin request code's handler; the admin processors keep a table of them by code. */
export type AdminHandler = (
  request: RemotingCommand,
  channel: RemotingChannel,
) => RemotingCommand | Promise<RemotingCommand>;

/** SUCCESS with a JSON body, as the table-dump requests (GET_ALL_*) answer. */
export function successWithJsonBody(request: RemotingCommand, json: string): RemotingCommand {
  return request.createResponse(ResponseCode.SUCCESS, null, undefined, Buffer.from(json));
}
