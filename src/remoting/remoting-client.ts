/**
 * The calling side of remoting (NettyRemotingClient): one connection per "host:port", created on
 * first use and again after it closes, requests matched to responses by opaque, and requests the
 * server sends us (NOTIFY_CONSUMER_IDS_CHANGED, CHECK_TRANSACTION_STATE, ...) dispatched to
 * processors like a server's.
 */
import { EventEmitter } from 'node:events';
import { connect } from 'node:net';
import { componentLogger } from '../common/logger.js';
import { RemotingConnectError, RemotingSendRequestError, RemotingTimeoutError } from './errors.js';
import { ProcessorTable } from './processor-table.js';
import type { RequestProcessor } from './remoting-channel.js';
import { DEFAULT_MAX_FRAME_SIZE } from './remoting-codec.js';
import type { RemotingCommand } from './remoting-command.js';
import { SocketChannel } from './socket-channel.js';

const log = componentLogger('remoting');

export interface RemotingClientOptions {
  /** connectTimeoutMillis, default 3000. */
  connectTimeoutMs?: number;
  /** Default 16 MiB. */
  maxFrameSize?: number;
  /** clientChannelMaxIdleTimeSeconds (120 s): an idle connection is closed (and reopened on the next call). 0 disables. */
  channelIdleTimeoutMs?: number;
}

export interface RemotingClientEvents {
  close: [addr: string];
}

/** "host:port" or "[v6]:port" -> host and port. */
export function parseAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  const port = i < 0 ? Number.NaN : Number(addr.slice(i + 1));
  let host = i < 0 ? '' : addr.slice(0, i);
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  if (host === '' || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RemotingConnectError(`bad address "${addr}", expected host:port`, { addr });
  }
  return { host, port };
}

export class RemotingClient extends EventEmitter<RemotingClientEvents> {
  private readonly processors = new ProcessorTable();
  /** Open channels, and connects in progress that concurrent callers share. */
  private readonly channels = new Map<string, SocketChannel>();
  private readonly connecting = new Map<string, Promise<SocketChannel>>();
  private readonly connectAborts = new Set<() => void>();
  private readonly connectTimeoutMs: number;
  private readonly maxFrameSize: number;
  private readonly idleTimeoutMs: number;
  private stopped = false;

  constructor(opts: RemotingClientOptions = {}) {
    super();
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 3000;
    this.maxFrameSize = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.idleTimeoutMs = opts.channelIdleTimeoutMs ?? 120_000;
  }

  /** Handles requests the server sends us; unknown codes get REQUEST_CODE_NOT_SUPPORTED. */
  registerProcessor(code: number, processor: RequestProcessor): void {
    this.processors.register(code, processor);
  }

  async invokeSync(addr: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const begin = Date.now();
    const channel = await this.getChannel(addr);
    // As invokeSync: time spent connecting counts against the call's timeout.
    const left = timeoutMs - (Date.now() - begin);
    if (left <= 0) {
      throw new RemotingTimeoutError(`invokeSync call the addr[${addr}] timeout`, { addr, timeoutMs });
    }
    return channel.invoke(request, left, timeoutMs);
  }

  /** Same as invokeSync: Node has one way to wait. */
  invokeAsync(addr: string, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    return this.invokeSync(addr, request, timeoutMs);
  }

  /** Marks the request oneway and resolves once it is written to the socket. */
  async invokeOneway(addr: string, request: RemotingCommand): Promise<void> {
    const channel = await this.getChannel(addr);
    request.markOneway();
    await new Promise<void>((resolve, reject) => {
      try {
        channel.sendWithCallback(request, (err) => {
          if (err === null) resolve();
          else
            reject(
              new RemotingSendRequestError(`send oneway request to <${addr}> failed`, { addr, cause: err }),
            );
        });
      } catch (err) {
        reject(
          new RemotingSendRequestError(`request could not be encoded: ${(err as Error).message}`, { addr }),
        );
      }
    });
  }

  /** Closes the connection to `addr` (its pending calls fail); the next call reconnects. */
  closeChannel(addr: string): void {
    this.channels.get(addr)?.close();
  }

  /** Closes every connection and refuses further calls. */
  async shutdown(): Promise<void> {
    this.stopped = true;
    for (const abort of [...this.connectAborts]) abort();
    const closed: Promise<void>[] = [];
    for (const channel of [...this.channels.values()]) {
      closed.push(
        new Promise<void>((resolve) => {
          if (channel.socket.destroyed) resolve();
          else channel.socket.once('close', () => resolve());
        }),
      );
      channel.abort();
    }
    await Promise.all(closed);
  }

  /** The open channel for `addr`, connecting if needed; concurrent callers share one connect. */
  private getChannel(addr: string): Promise<SocketChannel> {
    const channel = this.channels.get(addr);
    if (channel?.isOpen) return Promise.resolve(channel);
    if (this.stopped)
      return Promise.reject(new RemotingConnectError('remoting client is shut down', { addr }));
    let inProgress = this.connecting.get(addr);
    if (inProgress === undefined) {
      inProgress = this.connect(addr).finally(() => this.connecting.delete(addr));
      this.connecting.set(addr, inProgress);
    }
    return inProgress;
  }

  private connect(addr: string): Promise<SocketChannel> {
    return new Promise<SocketChannel>((resolve, reject) => {
      const { host, port } = parseAddress(addr);
      const socket = connect({ host, port });
      let settled = false;
      const finish = (err: Error | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.connectAborts.delete(abort);
        socket.off('error', onError);
        socket.off('connect', onConnect);
        if (err !== null) {
          socket.destroy();
          reject(err);
          return;
        }
        const channel = new SocketChannel(socket, {
          maxFrameSize: this.maxFrameSize,
          idleTimeoutMs: this.idleTimeoutMs,
          processors: this.processors,
          onClose: (ch) => this.onChannelClose(addr, ch),
        });
        this.channels.set(addr, channel);
        log.debug({ addr }, 'connected');
        resolve(channel);
      };
      const onError = (err: Error): void => {
        finish(new RemotingConnectError(`connect to <${addr}> failed: ${err.message}`, { addr, cause: err }));
      };
      const onConnect = (): void =>
        finish(this.stopped ? new RemotingConnectError('remoting client is shut down', { addr }) : null);
      const abort = (): void => finish(new RemotingConnectError('remoting client is shut down', { addr }));
      const timer = setTimeout(
        () =>
          finish(
            new RemotingConnectError(`connect to <${addr}> timed out after ${this.connectTimeoutMs} ms`, {
              addr,
            }),
          ),
        this.connectTimeoutMs,
      );
      this.connectAborts.add(abort);
      socket.once('error', onError);
      socket.once('connect', onConnect);
    });
  }

  private onChannelClose(addr: string, channel: SocketChannel): void {
    if (this.channels.get(addr) !== channel) return;
    this.channels.delete(addr);
    log.debug({ addr }, 'channel closed');
    try {
      this.emit('close', addr);
    } catch (err) {
      log.warn({ err, addr }, 'close listener failed');
    }
  }
}
