import { EventEmitter } from 'node:events';
import { Worker } from 'node:worker_threads';
import { componentLogger } from '../../common/logger.js';
import { RemotingSendRequestError } from '../../remoting/errors.js';
import { ProcessorTable } from '../../remoting/processor-table.js';
import type { RemotingChannel, RequestProcessor } from '../../remoting/remoting-channel.js';
import type { RemotingCommand } from '../../remoting/remoting-command.js';
import type { RemotingServerOptions } from '../../remoting/remoting-server.js';
import { CommandWriter, readSendRecords } from './binary-records.js';
import { type MainToWorker, toCommand, WireBatch, type WorkerToMain } from './network-messages.js';

const log = componentLogger('network');

/** What BrokerController needs of a server: RemotingServer has it, and so does the worker-backed one. */
export interface BrokerRemotingServer {
  registerProcessor(code: number, processor: RequestProcessor): void;
  registerDefaultProcessor(processor: RequestProcessor): void;
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly port: number;
  on(event: 'connect' | 'close' | 'idle', listener: (channel: RemotingChannel) => void): unknown;
}

/** A connection owned by the network worker, as the main thread's processors see it. */
class WorkerChannel implements RemotingChannel {
  isOpen = true;

  constructor(
    readonly id: number,
    readonly remoteAddress: string,
    readonly localAddress: string,
    private readonly server: WorkerRemotingServer,
  ) {}

  send(cmd: RemotingCommand): void {
    if (this.isOpen) this.server.enqueueSend(this.id, cmd);
  }

  invoke(request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    if (!this.isOpen)
      return Promise.reject(new RemotingSendRequestError('channel closed', { addr: this.remoteAddress }));
    return this.server.invoke(this.id, request, timeoutMs);
  }

  invokeOneway(request: RemotingCommand): void {
    request.markOneway();
    this.send(request);
  }

  close(): void {
    if (!this.isOpen) return;
    this.server.post({ t: 'close', ch: this.id });
  }
}

/**
 * The broker's RemotingServer with its sockets on a worker thread (networkWorkerEnable): the worker
 * decodes and encodes frames and does the socket I/O; this side dispatches to the processors, in the
 * thread that owns the store, with RemotingServer's semantics (ProcessorTable) and events.
 */
export class WorkerRemotingServer extends EventEmitter implements BrokerRemotingServer {
  private readonly processors = new ProcessorTable();
  private readonly channels = new Map<number, WorkerChannel>();
  private readonly invokes = new Map<
    number,
    { resolve: (c: RemotingCommand) => void; reject: (e: Error) => void }
  >();
  private worker: Worker | null = null;
  private boundPort = 0;
  private nextInvokeId = 1;
  private readonly out = new CommandWriter();
  private outScheduled = false;
  private stopped: (() => void) | null = null;

  constructor(private readonly opts: RemotingServerOptions) {
    super();
  }

  registerProcessor(code: number, processor: RequestProcessor): void {
    this.processors.register(code, processor);
  }

  registerDefaultProcessor(processor: RequestProcessor): void {
    this.processors.registerDefault(processor);
  }

  get port(): number {
    return this.boundPort;
  }

  start(): Promise<void> {
    const worker = new Worker(new URL('./network-worker.js', import.meta.url), { workerData: this.opts });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      worker.on('message', (m: WorkerToMain) => {
        if (m.t === 'listening') {
          this.boundPort = m.port;
          resolve();
        } else if (m.t === 'error') reject(new Error(m.message));
        else this.onMessage(m);
      });
      worker.once('error', (err) => {
        log.error({ err }, 'network worker failed');
        reject(err);
      });
      worker.once('exit', (code) => {
        if (this.stopped) this.stopped();
        else log.error({ code }, 'network worker exited');
      });
    });
  }

  stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.resolve();
    this.worker = null;
    this.flushOut();
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.stopped = null;
        for (const ch of this.channels.values()) ch.isOpen = false;
        resolve();
      };
      this.stopped = done;
      const t = setTimeout(() => void worker.terminate(), 5000);
      t.unref();
      worker.postMessage({ t: 'stop' } satisfies MainToWorker);
    });
  }

  post(m: MainToWorker, transfer?: ArrayBuffer[]): void {
    this.worker?.postMessage(m, transfer);
  }

  enqueueSend(ch: number, cmd: RemotingCommand): void {
    this.out.add(ch, cmd);
    if (!this.outScheduled) {
      this.outScheduled = true;
      setImmediate(() => this.flushOut());
    }
  }

  invoke(ch: number, request: RemotingCommand, timeoutMs: number): Promise<RemotingCommand> {
    const id = this.nextInvokeId++;
    const b = new WireBatch();
    b.add(ch, request);
    const buf = b.takeBuffer();
    return new Promise<RemotingCommand>((resolve, reject) => {
      this.invokes.set(id, { resolve, reject });
      this.post({ t: 'invoke', id, cmd: b.cmds[0]!, buf, timeoutMs }, [buf]);
    });
  }

  private flushOut(): void {
    this.outScheduled = false;
    if (this.out.count === 0) return;
    const buf = this.out.take();
    this.post({ t: 'send', buf }, [buf]);
  }

  private onMessage(m: WorkerToMain): void {
    switch (m.t) {
      case 'requests':
        if (m.sends) {
          readSendRecords(m.sends, (chId, cmd) => {
            const ch = this.channels.get(chId);
            if (ch) this.processors.dispatch(cmd, ch);
          });
        }
        for (const w of m.cmds) {
          const ch = this.channels.get(w.ch);
          if (ch) this.processors.dispatch(toCommand(w, m.buf), ch);
        }
        break;
      case 'connect': {
        const ch = new WorkerChannel(m.ch, m.remote, m.local, this);
        this.channels.set(m.ch, ch);
        this.safeEmit('connect', ch);
        break;
      }
      case 'close': {
        const ch = this.channels.get(m.ch);
        if (!ch) break;
        ch.isOpen = false;
        this.channels.delete(m.ch);
        this.safeEmit('close', ch);
        break;
      }
      case 'idle': {
        const ch = this.channels.get(m.ch);
        if (ch) this.safeEmit('idle', ch);
        break;
      }
      case 'invoked': {
        const p = this.invokes.get(m.id);
        if (!p) break;
        this.invokes.delete(m.id);
        if (m.cmd && m.buf) p.resolve(toCommand(m.cmd, m.buf));
        else p.reject(new RemotingSendRequestError(m.error ?? 'invoke failed', {}));
        break;
      }
      case 'stopped':
        break;
    }
  }

  private safeEmit(event: 'connect' | 'close' | 'idle', ch: RemotingChannel): void {
    try {
      this.emit(event, ch);
    } catch (err) {
      log.warn({ err, event }, 'listener failed');
    }
  }
}
