import { componentLogger } from '../../common/logger.js';
import type { RemotingChannel } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import type { MessageFilter } from '../../store/put-message-status.js';

const log = componentLogger('pull-hold');

/** A PULL_MESSAGE held until a matching message lands or its suspend time runs out (PullRequest). */
export interface PullRequest {
  request: RemotingCommand;
  channel: RemotingChannel;
  pullFromThisOffset: number;
  filter: MessageFilter;
  timer?: NodeJS.Timeout;
}

/** Re-runs a held request without suspending again and sends what it answers. */
export type PullRequestExecutor = (pr: PullRequest) => void;

/**
 * PullRequestHoldService: long polling. Requests wait per (topic, queueId); the store's dispatch
 * listener calls notifyMessageArriving for every new ConsumeQueue entry, and a waiting request whose
 * filter matches the entry's tag hash is re-run. The re-run is deferred to setImmediate so that a whole
 * dispatched batch is visible to it (one pull returns many messages, not the first of them). Each held
 * request has its own timer, so it returns at its suspend timeout rather than at RocketMQ's next 5 s scan.
 */
export class PullRequestHoldService {
  private readonly table = new Map<string, PullRequest[]>();
  private readonly ready: PullRequest[] = [];
  private scheduled = false;
  private stopped = false;

  constructor(private readonly execute: PullRequestExecutor) {}

  get heldCount(): number {
    let n = 0;
    for (const list of this.table.values()) n += list.length;
    return n;
  }

  suspendPullRequest(topic: string, queueId: number, pr: PullRequest, timeoutMs: number): void {
    if (this.stopped) return;
    const key = `${topic}@${queueId}`;
    let list = this.table.get(key);
    if (!list) {
      list = [];
      this.table.set(key, list);
    }
    list.push(pr);
    pr.timer = setTimeout(
      () => {
        this.remove(key, pr);
        this.wake(pr);
      },
      Math.max(0, timeoutMs),
    );
  }

  /** Dispatch listener: a message now sits at `maxOffset - 1` of the queue. Cheap when nobody waits. */
  notifyMessageArriving(topic: string, queueId: number, maxOffset: number, tagsCode: number): void {
    if (this.table.size === 0) return;
    const key = `${topic}@${queueId}`;
    const list = this.table.get(key);
    if (!list) return;
    let kept = 0;
    for (let i = 0; i < list.length; i++) {
      const pr = list[i]!;
      if (maxOffset > pr.pullFromThisOffset && pr.filter.isMatchedByConsumeQueue(tagsCode)) {
        if (pr.timer) clearTimeout(pr.timer);
        this.wake(pr);
      } else list[kept++] = pr;
    }
    list.length = kept;
    if (kept === 0) this.table.delete(key);
  }

  /** Wakes every request of the queue that is behind maxOffset, whatever its filter (a missed notification). */
  recheck(topic: string, queueId: number, maxOffset: number): void {
    const key = `${topic}@${queueId}`;
    const list = this.table.get(key);
    if (!list) return;
    let kept = 0;
    for (const pr of list) {
      if (maxOffset > pr.pullFromThisOffset) {
        if (pr.timer) clearTimeout(pr.timer);
        this.wake(pr);
      } else list[kept++] = pr;
    }
    list.length = kept;
    if (kept === 0) this.table.delete(key);
  }

  shutdown(): void {
    this.stopped = true;
    for (const list of this.table.values()) for (const pr of list) if (pr.timer) clearTimeout(pr.timer);
    this.table.clear();
    this.ready.length = 0;
  }

  private remove(key: string, pr: PullRequest): void {
    const list = this.table.get(key);
    if (!list) return;
    const i = list.indexOf(pr);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.table.delete(key);
  }

  private wake(pr: PullRequest): void {
    this.ready.push(pr);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const batch = this.ready.splice(0);
      for (const r of batch) {
        if (this.stopped || !r.channel.isOpen) continue;
        try {
          this.execute(r);
        } catch (err) {
          log.warn({ err }, 'execute held pull request failed');
        }
      }
    });
  }
}
