import { decodeQueryMessageRequestHeader } from '../../remoting/protocol/header/query-message-request-header.js';
import { decodeViewMessageRequestHeader } from '../../remoting/protocol/header/view-message-request-header.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerContext } from '../broker-context.js';

/** QueryMessageProcessor: QUERY_MESSAGE (by key or UNIQ_KEY, in a time range) and VIEW_MESSAGE_BY_ID. */
export class QueryMessageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  readonly process = async (request: RemotingCommand): Promise<RemotingCommand> => {
    if (request.code === RequestCode.VIEW_MESSAGE_BY_ID) {
      const h = decodeViewMessageRequestHeader(request.extFields);
      const buf = await this.ctx.messageStore.lookMessageByOffset(h.offset);
      if (!buf)
        return request.createResponse(
          ResponseCode.SYSTEM_ERROR,
          `can not find message by the offset, ${h.offset}`,
        );
      return request.createResponse(ResponseCode.SUCCESS, null, undefined, buf);
    }
    const h = decodeQueryMessageRequestHeader(request.extFields);
    let maxNum = h.maxNum;
    // as 4.9.8: a UNIQ_KEY query asks for defaultQueryMaxNum copies whatever count it sent
    if (request.extFields._UNIQUE_KEY_QUERY === 'true') maxNum = this.ctx.storeConfig.defaultQueryMaxNum;
    const r = await this.ctx.messageStore.queryMessage(
      h.topic,
      h.key,
      maxNum,
      h.beginTimestamp,
      h.endTimestamp,
    );
    const ext = {
      indexLastUpdateTimestamp: r.indexLastUpdateTimestamp,
      indexLastUpdatePhyoffset: r.indexLastUpdatePhyoffset,
    };
    if (r.buffers.length === 0) {
      return request.createResponse(
        ResponseCode.QUERY_NOT_FOUND,
        'can not find message, maybe time range not correct',
        ext,
      );
    }
    return request.createResponse(ResponseCode.SUCCESS, null, ext, Buffer.concat(r.buffers));
  };
}
