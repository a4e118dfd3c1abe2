import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { ResponseCode } from '../../remoting/response-code.js';

/** One admin request code's handler; the admin processors keep a table of them by code. */
export type AdminHandler = (
  request: RemotingCommand,
  channel: RemotingChannel,
) => RemotingCommand | Promise<RemotingCommand>;

/**
 * An admin processor's handlers by request code. A code without one is answered as 4.9.8's
 * AdminBrokerProcessor.getUnknownCmdResponse does (REQUEST_CODE_NOT_SUPPORTED, " request type N not
 * supported"); the broker registers only `codes`, so that answer is for direct callers.
 */
export class AdminHandlerTable extends Map<number, AdminHandler> {
  get codes(): number[] {
    return [...this.keys()];
  }

  readonly dispatch = (
    request: RemotingCommand,
    channel: RemotingChannel,
  ): RemotingCommand | Promise<RemotingCommand> => {
    const handler = this.get(request.code);
    if (!handler) {
      return request.createResponse(
        ResponseCode.REQUEST_CODE_NOT_SUPPORTED,
        ` request type ${request.code} not supported`,
      );
    }
    return handler(request, channel);
  };
}

/** SUCCESS with a JSON body, as the table-dump requests (GET_ALL_*) answer. */
export function successWithJsonBody(request: RemotingCommand, json: string): RemotingCommand {
  return request.createResponse(ResponseCode.SUCCESS, null, undefined, Buffer.from(json));
}
