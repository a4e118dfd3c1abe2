import { describe, expect, it } from 'vitest';
import { buildSubscriptionData } from '../../remoting/protocol/body/heartbeat-data.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import { RemotingCommand } from '../../remoting/remoting-command.js';
import { ExpressionMessageFilter } from '../filter/expression-message-filter.js';
import { type PullRequest, PullRequestHoldService } from './pull-request-hold-service.js';

const channel = (open = true): RemotingChannel =>
  ({ id: 1, remoteAddress: 'c:1', localAddress: 's:1', isOpen: open }) as unknown as RemotingChannel;

function held(from: number, sub = '*', open = true): PullRequest {
  return {
    request: RemotingCommand.request(11),
    channel: channel(open),
    pullFromThisOffset: from,
    filter: new ExpressionMessageFilter(buildSubscriptionData('T', sub)),
  };
}

const tick = (ms = 0): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('PullRequestHoldService', () => {
  it('wakes a held pull when a matching message lands beyond its offset, once, batched per turn', async () => {
    const woken: PullRequest[] = [];
    const s = new PullRequestHoldService((pr) => woken.push(pr));
    const a = held(5);
    const tagged = held(5, 'TagA');
    s.suspendPullRequest('T', 0, a, 10_000);
    s.suspendPullRequest('T', 0, tagged, 10_000);
    s.notifyMessageArriving('T', 0, 5, 0); // at the offset, not beyond
    s.notifyMessageArriving('T', 1, 9, 0); // another queue
    await tick();
    expect(woken).toEqual([]);
    s.notifyMessageArriving('T', 0, 6, 12345); // beyond, but not TagA's hash
    s.notifyMessageArriving('T', 0, 7, 12345);
    await tick();
    expect(woken).toEqual([a]);
    s.notifyMessageArriving('T', 0, 8, 2598919); // "TagA".hashCode()
    await tick();
    expect(woken).toEqual([a, tagged]);
    expect(s.heldCount).toBe(0);
    s.shutdown();
  });

  it('returns a held pull at its own timeout, skips closed channels, and recheck wakes regardless of filter', async () => {
    const woken: PullRequest[] = [];
    const s = new PullRequestHoldService((pr) => woken.push(pr));
    const t0 = Date.now();
    const quick = held(0);
    s.suspendPullRequest('T', 0, quick, 50);
    s.suspendPullRequest('T', 0, held(0, '*', false), 50);
    await tick(120);
    expect(woken).toEqual([quick]);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
    const filtered = held(3, 'TagZ');
    s.suspendPullRequest('T', 2, filtered, 10_000);
    s.recheck('T', 2, 4);
    await tick();
    expect(woken).toEqual([quick, filtered]);
    s.shutdown();
    s.suspendPullRequest('T', 0, held(0), 10);
    await tick(30);
    expect(woken).toHaveLength(2);
  });
});
