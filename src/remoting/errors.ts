/**
 * Remoting errors, one class per failure RocketMQ's remoting layer distinguishes
 * (remoting/.../exception/*.java). A caller tells "never reached the peer" (connect, send) from
 * "the peer did not answer in time" (timeout): only the latter may have had an effect.
 */
export interface RemotingErrorOptions {
  /** The peer, "host:port", when known. */
  addr?: string;
  cause?: unknown;
}

export class RemotingError extends Error {
  readonly addr: string | undefined;

  constructor(message: string, options?: RemotingErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.addr = options?.addr;
  }
}

/** No connection could be made to the address (refused, unreachable, connect timeout, client shut down). */
export class RemotingConnectError extends RemotingError {}

/** No response within the call's timeout. The request may still have been processed. */
export class RemotingTimeoutError extends RemotingError {
  readonly timeoutMs: number | undefined;

  constructor(message: string, options?: RemotingErrorOptions & { timeoutMs?: number }) {
    super(message, options);
    this.timeoutMs = options?.timeoutMs;
  }
}

/** The request could not be written, or its connection closed before the response came. */
export class RemotingSendRequestError extends RemotingError {}

/** Bytes on the wire that are not a valid frame: the connection cannot be trusted and is closed. */
export class RemotingFrameError extends RemotingError {}

/** Too many requests in flight (RocketMQ's RemotingTooMuchRequestException, semaphore exhausted). */
export class RemotingTooMuchRequestError extends RemotingError {}
