/**
 * Waits until a broker has dispatched what was sent: RocketMQ 4.9.8 acknowledges a send once the
 * CommitLog append is done, and its ReputMessageService builds the ConsumeQueue entries afterwards on
 * its own thread (every 1 ms), so GET_MAX_OFFSET and PULL_MESSAGE can lag a send by a moment. Tests
 * that compare pull and offset answers with the reference wait for this first.
 */
import type { RemotingClient } from '../../src/remoting/remoting-client.js';
import { RemotingCommand } from '../../src/remoting/remoting-command.js';
import { RequestCode } from '../../src/remoting/request-code.js';
import { ResponseCode } from '../../src/remoting/response-code.js';

export interface QueueCount {
  topic: string;
  queueId: number;
  /** messages sent to this queue: its max offset once they are all dispatched */
  count: number;
}

export class DispatchTimeoutError extends Error {
  constructor(
    readonly addr: string,
    readonly lagging: string[],
    readonly timeoutMs: number,
  ) {
    super(`broker ${addr} did not dispatch every message in ${timeoutMs} ms: ${lagging.join(', ')}`);
    this.name = 'DispatchTimeoutError';
  }
}

/**
 * Polls GET_MAX_OFFSET of every queue every `intervalMs` until each equals its `count`; throws
 * DispatchTimeoutError (naming each queue's last answer) after `timeoutMs`.
 */
export async function waitForMaxOffsets(
  client: RemotingClient,
  addr: string,
  queues: readonly QueueCount[],
  { timeoutMs = 5_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const lagging: string[] = [];
    for (const q of queues) {
      const r = await client.invokeSync(
        addr,
        RemotingCommand.request(RequestCode.GET_MAX_OFFSET, { topic: q.topic, queueId: q.queueId }, null),
        Math.max(1_000, end - Date.now()),
      );
      const offset = r.code === ResponseCode.SUCCESS ? Number(r.extFields.offset) : Number.NaN;
      if (offset !== q.count)
        lagging.push(
          `${q.topic}/${q.queueId}: code ${r.code}, offset ${r.extFields.offset}, want ${q.count}`,
        );
    }
    if (lagging.length === 0) return;
    if (Date.now() >= end) throw new DispatchTimeoutError(addr, lagging, timeoutMs);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
