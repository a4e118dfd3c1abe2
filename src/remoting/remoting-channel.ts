import type { RemotingCommand } from './remoting-command.js';

/**
 * One connection, seen from either end (RocketMQ's Netty Channel plus the invoke helpers of
 * NettyRemotingAbstract). The server hands it to processors; the client uses it per address.
 */
export interface RemotingChannel {
  readonly id: number;
  /** "ip:port" of the peer, fixed when the connection opened. */
  readonly remoteAddress: string;
  readonly localAddress: string;
  readonly isOpen: boolean;
  /** Writes a response or oneway command; writes are coalesced (socket-channel.ts). Dropped if closed. */
  send(cmd: RemotingCommand): void;
  /** A request to the peer (server -> client: CHECK_TRANSACTION_STATE, ...), matched by opaque. */
  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand>;
  invokeOneway(request: RemotingCommand): void;
  close(): void;
}

/** Answers a request later, as a processor's returned response would have been answered. */
export interface Responder {
  respond(request: RemotingCommand, channel: RemotingChannel, response: RemotingCommand | null): void;
}

/**
 * Handles one request code. Return the response (or a promise of it); return null to send nothing
 * (oneway requests, or answered later through `responder`, which saves a hot path its promises). A
 * throw or rejection answers SYSTEM_ERROR with the error's message as remark, as
 * NettyRemotingAbstract.processRequestCommand does.
 */
export type RequestProcessor = (
  request: RemotingCommand,
  channel: RemotingChannel,
  responder: Responder,
) => RemotingCommand | null | Promise<RemotingCommand | null>;
