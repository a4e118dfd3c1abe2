/**
 * Remoting errors, one class per failure RocketMQ's remoting layer distinguishes
 * (remoting/.../exception/*.java). A caller tells "never reached the peer" (connect, send) from
 * "the peer did not answer in time" (timeout): only the latter may have had an effect.
 */
export class RemotingError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** No connection could be made to the address (refused, unreachable, connect timeout, client shut down). */
export class RemotingConnectError extends RemotingError {
  constructor(
    readonly addr: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** No response within the call's timeout. The request may still have been processed. */
export class RemotingTimeoutError extends RemotingError {
  constructor(
    readonly addr: string,
    readonly timeoutMs: number,
    message: string,
  ) {
    super(message);
  }
}

/** The request could not be written, or its connection closed before the response came. */
export class RemotingSendRequestError extends RemotingError {
  constructor(
    readonly addr: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Bytes on the wire that are not a valid frame: the connection cannot be trusted and is closed. */
export class RemotingFrameError extends RemotingError {}

/** Too many requests in flight (RocketMQ's RemotingTooMuchRequestException, semaphore exhausted). */
export class RemotingTooMuchRequestError extends RemotingError {}
