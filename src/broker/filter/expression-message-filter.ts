import type { SubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';

/**
 * ExpressionMessageFilter for TAG subscriptions: a ConsumeQueue entry matches when the subscription is
 * "*" or the entry's tag hash code is one of the subscription's codeSet (a hash collision lets a
 * message through, and the client re-checks the tag string, as in RocketMQ).
 */
export class ExpressionMessageFilter {
  private readonly all: boolean;
  private readonly codes: Set<number>;

  constructor(sub: SubscriptionData | undefined) {
    this.all =
      sub === undefined ||
      sub.classFilterMode ||
      sub.subString === '*' ||
      sub.subString === '' ||
      sub.expressionType !== 'TAG';
    this.codes = new Set(sub?.codeSet ?? []);
  }

  isMatchedByConsumeQueue(tagsCode: number): boolean {
    if (this.all) return true;
    return this.codes.has(tagsCode | 0);
  }

  isMatchedByCommitLog(): boolean {
    return true;
  }
}
