import { componentLogger } from '../../common/logger.js';
import { RemotingCommandError } from '../../remoting/custom-header.js';
import { encodeConsumerListByGroupResponseBody } from '../../remoting/protocol/body/consumer-list-by-group-response-body.js';
import { decodeGetConsumerListByGroupRequestHeader } from '../../remoting/protocol/header/get-consumer-list-by-group-request-header.js';
import { decodeQueryConsumerOffsetRequestHeader } from '../../remoting/protocol/header/query-consumer-offset-request-header.js';
import { decodeUpdateConsumerOffsetRequestHeader } from '../../remoting/protocol/header/update-consumer-offset-request-header.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import { RequestCode } from '../../remoting/request-code.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { BrokerContext } from '../broker-context.js';

const log = componentLogger('consumer-manage');

/** ConsumerManageProcessor: GET_CONSUMER_LIST_BY_GROUP, UPDATE_CONSUMER_OFFSET, QUERY_CONSUMER_OFFSET. */
export class ConsumerManageProcessor {
  constructor(private readonly ctx: BrokerContext) {}

  readonly process = (request: RemotingCommand, channel: RemotingChannel): RemotingCommand => {
    switch (request.code) {
      case RequestCode.GET_CONSUMER_LIST_BY_GROUP: {
        const h = decodeGetConsumerListByGroupRequestHeader(request.extFields);
        const cgi = this.ctx.consumerManager.getConsumerGroupInfo(h.consumerGroup);
        const ids = cgi?.getAllClientIds() ?? [];
        if (ids.length > 0) {
          return request.createResponse(
            ResponseCode.SUCCESS,
            null,
            undefined,
            encodeConsumerListByGroupResponseBody({ consumerIdList: ids }),
          );
        }
        log.warn(
          { group: h.consumerGroup, remote: channel.remoteAddress },
          cgi ? 'getAllClientId failed' : 'getConsumerGroupInfo failed',
        );
        return request.createResponse(
          ResponseCode.SYSTEM_ERROR,
          `no consumer for this group, ${h.consumerGroup}`,
        );
      }
      case RequestCode.UPDATE_CONSUMER_OFFSET: {
        const h = decodeUpdateConsumerOffsetRequestHeader(withJavaNulls(request.extFields));
        this.ctx.consumerOffsetManager.commitOffset(
          channel.remoteAddress,
          h.consumerGroup,
          h.topic,
          h.queueId,
          h.commitOffset,
        );
        return request.createResponse(ResponseCode.SUCCESS, null);
      }
      default: {
        const h = decodeQueryConsumerOffsetRequestHeader(withJavaNulls(request.extFields));
        const offset = this.ctx.consumerOffsetManager.queryOffset(h.consumerGroup, h.topic, h.queueId);
        if (offset >= 0) return request.createResponse(ResponseCode.SUCCESS, null, { offset });
        // 4.9.8 then looks the null topic's queue up: NullPointerException
        if (request.extFields.topic === undefined)
          throw new RemotingCommandError('the custom field <topic> is null');
        // as 4.9.8: a group new to a queue whose first message is still there (and in memory) starts at 0
        const minOffset = this.ctx.messageStore.getMinOffsetInQueue(h.topic, h.queueId);
        if (minOffset <= 0) return request.createResponse(ResponseCode.SUCCESS, null, { offset: 0 });
        return request.createResponse(
          ResponseCode.QUERY_NOT_FOUND,
          'Not found, V3_0_6_SNAPSHOT maybe this group consumer boot first',
        );
      }
    }
  };
}

/**
 * 4.9.8's header decoding lets a missing consumerGroup or topic be null, and the offset table's key is
 * topic + "@" + group in Java: offsets are stored and read under "null" (e.g. "DiffT@null").
 */
function withJavaNulls(ext: Record<string, string>): Record<string, string> {
  if (ext.consumerGroup !== undefined && ext.topic !== undefined) return ext;
  return { ...ext, consumerGroup: ext.consumerGroup ?? 'null', topic: ext.topic ?? 'null' };
}
