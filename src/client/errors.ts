/**
 * The SDK's typed errors (client/.../exception/*.java). Every error that came off the wire carries
 * the response code and remark, so callers can branch on `err.responseCode` rather than on text.
 */
export {
  RemotingConnectError,
  RemotingError,
  RemotingSendRequestError,
  RemotingTimeoutError,
} from '../remoting/errors.js';

/** A client-side failure: bad arguments, no route, not started, or a non-success answer. */
export class MQClientError extends Error {
  readonly responseCode: number;
  readonly remark: string | null;

  constructor(message: string, opts?: { responseCode?: number; remark?: string | null; cause?: unknown }) {
    super(message, opts?.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    // -1 as MQClientException does when no response code applies
    this.responseCode = opts?.responseCode ?? -1;
    this.remark = opts?.remark ?? null;
  }
}

/** The broker answered with a code the call cannot treat as success (MQBrokerException). */
export class MQBrokerError extends MQClientError {
  readonly brokerAddr: string | undefined;

  constructor(responseCode: number, remark: string | null, brokerAddr?: string) {
    super(`CODE: ${responseCode} DESC: ${remark ?? ''}${brokerAddr ? ` BROKER: ${brokerAddr}` : ''}`, {
      responseCode,
      remark,
    });
    this.brokerAddr = brokerAddr;
  }
}

/** An operation was cancelled by its AbortSignal. */
export class MQAbortError extends MQClientError {
  constructor(message = 'the operation was aborted') {
    super(message);
  }
}

/** No reply came back in time for `Producer.request` (RequestTimeoutException). */
export class MQRequestTimeoutError extends MQClientError {}
