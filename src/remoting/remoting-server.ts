/**
 * The listening side of remoting (NettyRemotingServer): accepts connections, decodes frames,
 * dispatches requests to processors per code, answers in the request's serialize type.
 */
import { EventEmitter } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { componentLogger } from '../common/logger.js';
import { ProcessorTable } from './processor-table.js';
import type { RemotingChannel, RequestProcessor } from './remoting-channel.js';
import { DEFAULT_MAX_FRAME_SIZE } from './remoting-codec.js';
import { SocketChannel } from './socket-channel.js';

const log = componentLogger('remoting');

export interface RemotingServerOptions {
  /** Default '0.0.0.0'. */
  host?: string;
  /** 0 = ephemeral (read the chosen one from `port` after start). */
  port: number;
  /** Default 16 MiB (com.rocketmq.remoting.frameMaxLength); a bigger frame closes its connection. */
  maxFrameSize?: number;
  /** serverChannelMaxIdleTimeSeconds (120 s): an idle connection is reported and closed. 0 disables. */
  channelIdleTimeoutMs?: number;
}

export interface RemotingServerEvents {
  connect: [channel: RemotingChannel];
  close: [channel: RemotingChannel];
  idle: [channel: RemotingChannel];
}

export class RemotingServer extends EventEmitter<RemotingServerEvents> {
  private readonly processors = new ProcessorTable();
  private readonly channels = new Set<SocketChannel>();
  private server: Server | null = null;
  private boundPort = 0;
  private readonly maxFrameSize: number;
  private readonly idleTimeoutMs: number;

  constructor(private readonly opts: RemotingServerOptions) {
    super();
    this.maxFrameSize = opts.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE;
    this.idleTimeoutMs = opts.channelIdleTimeoutMs ?? 120_000;
  }

  registerProcessor(code: number, processor: RequestProcessor): void {
    this.processors.register(code, processor);
  }

  /** For codes without their own processor; the default default answers REQUEST_CODE_NOT_SUPPORTED. */
  registerDefaultProcessor(processor: RequestProcessor): void {
    this.processors.registerDefault(processor);
  }

  /** The bound port (the real one when started with port 0). */
  get port(): number {
    return this.boundPort;
  }

  /** Open connections. */
  get connections(): readonly RemotingChannel[] {
    return [...this.channels];
  }

  start(): Promise<void> {
    if (this.server !== null) return Promise.reject(new Error('RemotingServer already started'));
    const server = createServer((socket) => this.onConnection(socket));
    this.server = server;
    return new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => {
        this.server = null;
        reject(err);
      };
      server.once('error', onError);
      server.listen(this.opts.port, this.opts.host ?? '0.0.0.0', () => {
        server.off('error', onError);
        server.on('error', (err) => log.warn({ err }, 'server socket error'));
        const address = server.address();
        this.boundPort = typeof address === 'object' && address !== null ? address.port : this.opts.port;
        log.info({ port: this.boundPort }, 'remoting server listening');
        resolve();
      });
    });
  }

  /** Stops listening and closes every connection; resolves when the listener is closed. */
  stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const channel of [...this.channels]) channel.abort();
    if (server === null) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
  }

  private onConnection(socket: Socket): void {
    if (this.server === null) {
      socket.destroy();
      return;
    }
    const channel = new SocketChannel(socket, {
      maxFrameSize: this.maxFrameSize,
      idleTimeoutMs: this.idleTimeoutMs,
      processors: this.processors,
      onClose: (ch) => {
        this.channels.delete(ch);
        log.debug({ remote: ch.remoteAddress }, 'channel closed');
        this.safeEmit('close', ch);
      },
      onIdle: (ch) => this.safeEmit('idle', ch),
    });
    if (!channel.isOpen) return;
    this.channels.add(channel);
    log.debug({ remote: channel.remoteAddress }, 'channel connected');
    this.safeEmit('connect', channel);
  }

  // A listener that throws must not take the socket handling (or the process) down with it.
  private safeEmit(event: keyof RemotingServerEvents, channel: RemotingChannel): void {
    try {
      this.emit(event, channel);
    } catch (err) {
      log.warn({ err, event, remote: channel.remoteAddress }, 'listener failed');
    }
  }
}
