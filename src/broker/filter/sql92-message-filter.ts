import { bodyLengthPosition, SYSFLAG_POSITION } from '../../common/message-decoder.js';
import { decodeProperties } from '../../common/message-properties.js';
import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import { ResponseCode } from '../../remoting/response-code.js';
import type { MessageFilter } from '../../store/put-message-status.js';
import { ExpressionMessageFilter } from './expression-message-filter.js';
import { type CompiledExpression, type Sql92FilterCache, SqlFilterError } from './sql92/index.js';

/**
 * ExpressionMessageFilter for SQL92 subscriptions: every ConsumeQueue entry passes (4.9.8 only narrows
 * there with its optional bloom filter), then the message's properties are decoded from the stored
 * entry and the compiled expression decides (isMatchedByCommitLog). Only TRUE passes.
 */
export class Sql92MessageFilter implements MessageFilter {
  constructor(private readonly expression: CompiledExpression) {}

  isMatchedByConsumeQueue(): boolean {
    return true;
  }

  isMatchedByCommitLog(msg: Buffer): boolean {
    return this.expression.evaluate(storedProperties(msg));
  }
}

/** The properties of one stored message (protocol.md s.5), without decoding the rest. */
export function storedProperties(msg: Buffer): Record<string, string> {
  let p = bodyLengthPosition(msg.readInt32BE(SYSFLAG_POSITION));
  p += 4 + msg.readInt32BE(p);
  p += 1 + msg.readUInt8(p);
  const len = msg.readInt16BE(p);
  return len > 0 ? decodeProperties(msg.toString('utf8', p + 2, p + 2 + len)) : {};
}

/** A refusal the pull processor answers with. */
export interface FilterRefusal {
  code: number;
  remark: string;
}

/**
 * The message filter for a pull (PullMessageProcessor in 4.9.8): TAG subscriptions by tag hash code;
 * SQL92 ones compiled once per (group, topic, subVersion) through the cache. A bad expression carried
 * by the pull request answers SUBSCRIPTION_PARSE_FAILED; one registered by heartbeat answers
 * FILTER_DATA_NOT_EXIST (4.9.8's ConsumerFilterManager never registered it). Both remarks name the
 * position. (4.9.8 itself lets such a pull through unfiltered; refusing is the safer answer and the
 * Java client never gets there, as CHECK_CLIENT_CONFIG refused the expression first.)
 */
export function buildPullMessageFilter(
  cache: Sql92FilterCache,
  group: string,
  sub: SubscriptionData,
  fromRequest: boolean,
): MessageFilter | FilterRefusal {
  if (sub.expressionType !== 'SQL92') return new ExpressionMessageFilter(sub);
  try {
    return new Sql92MessageFilter(cache.get(group, sub.topic, sub.subVersion, sub.subString));
  } catch (err) {
    if (!(err instanceof SqlFilterError)) throw err;
    return fromRequest
      ? {
          code: ResponseCode.SUBSCRIPTION_PARSE_FAILED,
          remark: `parse the consumer's subscription failed: ${err.message}`,
        }
      : {
          code: ResponseCode.FILTER_DATA_NOT_EXIST,
          remark: `The broker's consumer filter data is not exist!Your expression may be wrong! ${err.message}`,
        };
  }
}

export function isFilterRefusal(f: MessageFilter | FilterRefusal): f is FilterRefusal {
  return (f as FilterRefusal).code !== undefined;
}
