import { randomUUID } from 'node:crypto';
import { MQClientError, MQRequestTimeoutError } from '../errors.js';
import type { MessageExt } from '../message.js';

interface Pending {
  resolve(reply: MessageExt): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/**
 * Requests waiting for their reply, by CORRELATION_ID (RequestFutureHolder's table of
 * RequestResponseFuture): a reply the broker pushes (PUSH_REPLY_MESSAGE_TO_CLIENT) settles its
 * request; a request whose time ran out is rejected with MQRequestTimeoutError and forgotten, so a
 * late reply is dropped.
 */
export class RequestFutureTable {
  private readonly pending = new Map<string, Pending>();

  /** CorrelationIdUtil.createCorrelationId: a random UUID. */
  static createCorrelationId(): string {
    return randomUUID();
  }

  /** Registers a request; the promise settles with its reply, or rejects after `timeoutMs`. */
  wait(correlationId: string, timeoutMs: number): Promise<MessageExt> {
    return new Promise<MessageExt>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(correlationId);
        reject(
          new MQRequestTimeoutError(
            `request timeout, no reply message in ${timeoutMs} ms (correlationId ${correlationId})`,
          ),
        );
      }, timeoutMs);
      this.pending.set(correlationId, { resolve, reject, timer });
    });
  }

  /** A reply arrived: true when a request was waiting for it. */
  putResponse(correlationId: string, reply: MessageExt): boolean {
    const p = this.pending.get(correlationId);
    if (!p) return false;
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    p.resolve(reply);
    return true;
  }

  /** The request could not be sent: reject it now (requestFail). */
  fail(correlationId: string, err: unknown): void {
    const p = this.pending.get(correlationId);
    if (!p) return;
    this.pending.delete(correlationId);
    clearTimeout(p.timer);
    p.reject(err instanceof Error ? err : new MQClientError(String(err)));
  }

  /** Rejects every waiting request (the client instance shuts down). */
  failAll(): void {
    for (const id of [...this.pending.keys()]) this.fail(id, new MQClientError('the client was shut down'));
  }

  get size(): number {
    return this.pending.size;
  }
}
