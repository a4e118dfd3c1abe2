import { componentLogger } from '../../common/logger.js';
import { decodeQueryMessageRequestHeader } from '../../remoting/protocol/header/query-message-request-header.js';
import { decodeViewMessageRequestHeader } from '../../remoting/protocol/header/view-message-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { type RemotingCommand, SerializeType } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerContext } from '../broker-context.js';

const log = componentLogger('query');

/** QueryMessageProcessor: QUERY_MESSAGE (by key or UNIQ_KEY, in a time range) and VIEW_MESSAGE_BY_ID. */
export class QueryMessageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  readonly process = async (
    request: RemotingCommand,
    channel: RemotingChannel,
  ): Promise<RemotingCommand | null> => {
    if (request.code === RequestCode.VIEW_MESSAGE_BY_ID) {
      const h = decodeViewMessageRequestHeader(request.extFields);
      const buf = await this.ctx.messageStore.lookMessageByOffset(h.offset);
      if (!buf)
        return request.createResponse(
          ResponseCode.SYSTEM_ERROR,
          `can not find message by the offset, ${h.offset}`,
        );
      return sendZeroCopy(
        request,
        channel,
        request.createResponse(ResponseCode.SUCCESS, null, undefined, buf),
      );
    }
    const h = decodeQueryMessageRequestHeader(withJavaNulls(request.extFields));
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
    return sendZeroCopy(
      request,
      channel,
      request.createResponse(ResponseCode.SUCCESS, null, ext, Buffer.concat(r.buffers)),
    );
  };
}

/**
 * 4.9.8 writes found messages itself, zero-copy (a header encoded with the default serialize type,
 * then a FileRegion), and hands the remoting layer nothing to answer: the header is JSON even to a
 * ROCKETMQ-encoded request, where every other answer takes the request's type.
 */
function sendZeroCopy(request: RemotingCommand, channel: RemotingChannel, response: RemotingCommand): null {
  if (request.isOneway() || !channel.isOpen) return null;
  response.serializeType = SerializeType.JSON;
  try {
    channel.send(response);
  } catch (err) {
    log.warn({ err, code: request.code, remote: channel.remoteAddress }, 'query answer could not be sent');
  }
  return null;
}

/**
 * 4.9.8 does not require topic or key (its header decoding swallows the missing-field error): the
 * index is asked for "null#key" / "topic#null", as Java's string concatenation builds the index key,
 * and finds nothing (QUERY_NOT_FOUND).
 */
function withJavaNulls(ext: Record<string, string>): Record<string, string> {
  if (ext.topic !== undefined && ext.key !== undefined) return ext;
  return { ...ext, topic: ext.topic ?? 'null', key: ext.key ?? 'null' };
}
