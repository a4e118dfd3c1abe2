import { buildSubscriptionData, type SubscriptionData } from '../remoting/protocol/body/heartbeat-data.js';
import { MQClientError } from './errors.js';

/** How a subscription filters (ExpressionType): by tag, or by an SQL92 condition on message properties. */
export type ExpressionType = 'TAG' | 'SQL92';

/**
 * A subscription's filter (client/.../consumer/MessageSelector.java). SQL92 selects on properties
 * (`a > 5 AND region = 'eu'`, also `TAGS`), and needs a broker started with enablePropertyFilter=true.
 */
export class MessageSelector {
  private constructor(
    readonly expressionType: ExpressionType,
    readonly expression: string,
  ) {}

  /** An SQL92 condition on message properties (user properties, TAGS, KEYS ...). */
  static bySql(sql: string): MessageSelector {
    return new MessageSelector('SQL92', sql);
  }

  /** A tag expression: `'*'`, `'TagA'` or `'TagA || TagB'`. */
  static byTag(tag: string): MessageSelector {
    return new MessageSelector('TAG', tag);
  }
}

/** What `subscribe` takes: a tag expression, a MessageSelector, or `{ sql }` / `{ tag }`. */
export type SubscriptionExpression = string | MessageSelector | { sql: string } | { tag: string };

/**
 * FilterAPI.build: tag expressions are split and hashed as before; an SQL92 expression is sent to the
 * broker as it is (it compiles it), with no tags for the client to re-check.
 */
export function buildSubscription(topic: string, expr: SubscriptionExpression | undefined): SubscriptionData {
  let type: ExpressionType = 'TAG';
  let text: string | undefined;
  if (expr === undefined || typeof expr === 'string') text = expr;
  else if (expr instanceof MessageSelector) {
    type = expr.expressionType;
    text = expr.expression;
  } else if ('sql' in expr) {
    type = 'SQL92';
    text = expr.sql;
  } else text = expr.tag;
  if (type === 'TAG') return buildSubscriptionData(topic, text);
  if (text === undefined || text.trim() === '') throw new MQClientError(`Expression can't be null! ${type}`);
  return {
    classFilterMode: false,
    topic,
    subString: text,
    tagsSet: [],
    codeSet: [],
    subVersion: Date.now(),
    expressionType: type,
  };
}
