/**
 * A RemotingChannel over a net.Socket, used by both RemotingServer and RemotingClient: frame
 * decoding, the response table (opaque -> pending call), request dispatch and coalesced writes.
 */
import type { Socket } from 'node:net';
import type { BodyLease } from '../common/body-lease.js';
import { componentLogger } from '../common/logger.js';
import { RemotingSendRequestError, RemotingTimeoutError } from './errors.js';
import { FrameSlab } from './frame-slab.js';
import type { ProcessorTable } from './processor-table.js';
import type { RemotingChannel } from './remoting-channel.js';
import { encodeCommand, encodeCommandHeader, FrameDecoder } from './remoting-codec.js';
import { FLAG_ONEWAY, type RemotingCommand } from './remoting-command.js';

const log = componentLogger('remoting');

/**
 * Bodies at least this big (a pull's messages) are written from their own buffer instead of being
 * copied into the frame, and never copied again when a turn's writes are joined.
 */
const ZERO_COPY_BODY = 4 * 1024;
/** Small pieces are joined into one buffer up to this size; the rest go out corked (one writev). */
const CONCAT_LIMIT = 256 * 1024;
const CLOSE_GRACE_MS = 3000;

export interface SocketChannelOptions {
  maxFrameSize: number;
  /** 0 disables; otherwise a channel with no reads or writes for this long is reported idle and closed. */
  idleTimeoutMs: number;
  processors: ProcessorTable;
  onClose?: (channel: SocketChannel) => void;
  onIdle?: (channel: SocketChannel) => void;
}

interface PendingCall {
  resolve(response: RemotingCommand): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

type WriteCallback = (err: Error | null) => void;

let nextChannelId = 1;

export function formatAddress(host: string | undefined, port: number | undefined): string {
  let h = host ?? 'unknown';
  if (h.startsWith('::ffff:') && h.includes('.')) h = h.slice(7);
  return h.includes(':') ? `[${h}]:${port ?? 0}` : `${h}:${port ?? 0}`;
}

export class SocketChannel implements RemotingChannel {
  readonly id = nextChannelId++;
  readonly remoteAddress: string;
  readonly localAddress: string;
  private open = true;
  private readonly decoder: FrameDecoder;
  private readonly pending = new Map<number, PendingCall>();
  private outQueue: Buffer[] = [];
  private outBytes = 0;
  /** Some queued piece is a zero-copy body: join only the small pieces around it. */
  private outHasLarge = false;
  private outCallbacks: WriteCallback[] = [];
  /** Loaned bodies in outQueue, released once their write completes or fails. */
  private outLeases: BodyLease[] = [];
  /** Where the frames with an in-place form (send replies) are written. */
  private readonly slab = new FrameSlab();
  private flushScheduled = false;
  private closeHandled = false;

  constructor(
    readonly socket: Socket,
    private readonly options: SocketChannelOptions,
  ) {
    this.remoteAddress = formatAddress(socket.remoteAddress, socket.remotePort);
    this.localAddress = formatAddress(socket.localAddress, socket.localPort);
    this.decoder = new FrameDecoder(options.maxFrameSize);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (err) => {
      log.debug({ remote: this.remoteAddress, err: err.message }, 'channel error');
    });
    socket.on('close', () => this.onSocketClose());
    if (options.idleTimeoutMs > 0) {
      socket.setTimeout(options.idleTimeoutMs);
      socket.on('timeout', () => {
        log.debug({ remote: this.remoteAddress }, 'channel idle, closing');
        // As NettyConnectManageHandler: an all-idle channel is reported and closed.
        this.options.onIdle?.(this);
        this.close();
      });
    }
    if (socket.destroyed) this.onSocketClose();
  }

  get isOpen(): boolean {
    return this.open;
  }

  /** Calls waiting for a response. */
  get pendingCalls(): number {
    return this.pending.size;
  }

  send(cmd: RemotingCommand): void {
    this.enqueue(cmd, undefined);
  }

  /** As send, with a callback once the bytes are handed to the kernel (or failed). */
  sendWithCallback(cmd: RemotingCommand, callback: WriteCallback): void {
    this.enqueue(cmd, callback);
  }

  /** `reportedTimeoutMs`: what the caller asked for, when part of it went to connecting (RemotingClient). */
  invoke(
    request: RemotingCommand,
    timeoutMs: number,
    reportedTimeoutMs = timeoutMs,
  ): Promise<RemotingCommand> {
    return new Promise<RemotingCommand>((resolve, reject) => {
      if (!this.open) {
        reject(
          new RemotingSendRequestError(`channel to ${this.remoteAddress} is closed`, {
            addr: this.remoteAddress,
          }),
        );
        return;
      }
      const opaque = request.opaque;
      // An opaque reused while its call is still pending (wrap-around): the older call cannot be told apart.
      // Checked first: building an Error (stack capture) on every call cost ~20% of a producer's CPU.
      if (this.pending.has(opaque)) {
        this.failPending(
          opaque,
          new RemotingSendRequestError(`opaque ${opaque} reused`, { addr: this.remoteAddress }),
        );
      }
      const timer = setTimeout(() => {
        if (this.pending.delete(opaque)) {
          reject(
            new RemotingTimeoutError(
              `wait response on the channel <${this.remoteAddress}> timeout, ${reportedTimeoutMs}(ms), code ${request.code}`,
              { addr: this.remoteAddress, timeoutMs: reportedTimeoutMs },
            ),
          );
        }
      }, timeoutMs);
      this.pending.set(opaque, { resolve, reject, timer });
      try {
        this.enqueue(request, (err) => {
          if (err !== null) {
            this.failPending(
              opaque,
              new RemotingSendRequestError(`send request to <${this.remoteAddress}> failed`, {
                addr: this.remoteAddress,
                cause: err,
              }),
            );
          }
        });
      } catch (err) {
        this.failPending(
          opaque,
          new RemotingSendRequestError(`request could not be encoded: ${(err as Error).message}`, {
            addr: this.remoteAddress,
            cause: err,
          }),
        );
      }
    });
  }

  invokeOneway(request: RemotingCommand): void {
    request.flag |= FLAG_ONEWAY;
    this.enqueue(request, undefined);
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    // What was already answered still goes out; then the socket closes once written, or after a
    // grace period if the peer does not read.
    this.flush();
    this.socket.destroySoon();
    if (!this.socket.destroyed) {
      setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS).unref();
    }
  }

  /** Closes at once, dropping unwritten output (broken stream). */
  abort(): void {
    this.open = false;
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let commands: RemotingCommand[];
    try {
      commands = this.decoder.push(chunk);
    } catch (err) {
      // As NettyDecoder: a frame that cannot be decoded closes this connection only.
      log.warn({ remote: this.remoteAddress, err: (err as Error).message }, 'bad frame, closing the channel');
      this.abort();
      return;
    }
    for (let i = 0; i < commands.length; i++) {
      const cmd = commands[i]!;
      if (cmd.isResponse()) this.onResponse(cmd);
      else if (this.open) {
        try {
          this.options.processors.dispatch(cmd, this);
        } catch (err) {
          // dispatch answers processor errors itself; this is the last line that keeps a bug in a
          // 'data' handler from taking the process down
          log.warn({ err, remote: this.remoteAddress, code: cmd.code }, 'request dispatch failed');
        }
      }
    }
  }

  private onResponse(response: RemotingCommand): void {
    const call = this.pending.get(response.opaque);
    if (call === undefined) {
      // As processResponseCommand: a late answer to a timed-out call is dropped.
      log.debug(
        { remote: this.remoteAddress, opaque: response.opaque },
        'response matched no pending request',
      );
      return;
    }
    this.pending.delete(response.opaque);
    clearTimeout(call.timer);
    call.resolve(response);
  }

  private failPending(opaque: number, err: Error): void {
    const call = this.pending.get(opaque);
    if (call === undefined) return;
    this.pending.delete(opaque);
    clearTimeout(call.timer);
    call.reject(err);
  }

  private enqueue(cmd: RemotingCommand, callback: WriteCallback | undefined): void {
    if (!this.open) {
      log.debug({ remote: this.remoteAddress, code: cmd.code }, 'write dropped: channel closed');
      cmd.bodyLease?.release();
      cmd.bodyLease = null;
      if (callback !== undefined) {
        callback(
          new RemotingSendRequestError(`channel to ${this.remoteAddress} is closed`, {
            addr: this.remoteAddress,
          }),
        );
      }
      return;
    }
    const lease = cmd.bodyLease;
    cmd.bodyLease = null;
    let bodyQueued = false;
    try {
      const inPlace = this.slab.write(cmd, this.outQueue);
      if (inPlace > 0) {
        this.outBytes += inPlace;
      } else {
        // encoded first: a frame that cannot be encoded throws before the slab's frames are cut
        const body = cmd.body;
        if (body !== null && body.length >= ZERO_COPY_BODY) {
          const header = encodeCommandHeader(cmd);
          this.slab.cut(this.outQueue);
          this.outQueue.push(header, body);
          this.outBytes += header.length + body.length;
          this.outHasLarge = true;
          bodyQueued = true;
        } else {
          const frame = encodeCommand(cmd);
          this.slab.cut(this.outQueue);
          this.outQueue.push(frame);
          this.outBytes += frame.length;
        }
      }
    } finally {
      // a body copied into its frame (or never encoded) is free now; one queued as it is, once written
      if (lease !== null) {
        if (bodyQueued) this.outLeases.push(lease);
        else lease.release();
      }
    }
    if (callback !== undefined) this.outCallbacks.push(callback);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      // One write for everything answered by the code running now (a chunk's requests, a CommitLog
      // batch's acknowledgements) once it and all the promise callbacks it set off are done: a tick
      // queued from a microtask runs only after the microtask queue is empty. A setImmediate flush
      // held the answers made in the check phase (where CommitLog batches are written) until the
      // next turn, behind that turn's reads: interleaved bench producer runs gave 8-38% more msgs/s
      // with the earlier flush.
      queueMicrotask(this.scheduleFlushTick);
    }
  }

  private readonly scheduleFlushTick = (): void => {
    process.nextTick(this.flushNow);
  };

  private readonly flushNow = (): void => this.flush();

  private flush(): void {
    this.flushScheduled = false;
    this.slab.cut(this.outQueue);
    const queue = this.outQueue;
    if (queue.length === 0) return;
    const callbacks = this.outCallbacks;
    const leases = this.outLeases;
    const bytes = this.outBytes;
    const hasLarge = this.outHasLarge;
    this.outQueue = [];
    this.outCallbacks = [];
    if (leases.length > 0) this.outLeases = [];
    this.outBytes = 0;
    this.outHasLarge = false;
    const socket = this.socket;
    if (socket.destroyed || !socket.writable) {
      const err = new RemotingSendRequestError(`channel to ${this.remoteAddress} is closed`, {
        addr: this.remoteAddress,
      });
      for (const lease of leases) lease.release();
      for (const cb of callbacks) cb(err);
      return;
    }
    // the callback of a turn's last write runs once all of it is in the kernel (or failed)
    const done =
      callbacks.length === 0 && leases.length === 0
        ? undefined
        : (err?: Error | null) => {
            for (const lease of leases) lease.release();
            for (const cb of callbacks) cb(err ?? null);
          };
    if (queue.length === 1) {
      socket.write(queue[0]!, done);
    } else if (bytes <= CONCAT_LIMIT && !hasLarge) {
      socket.write(Buffer.concat(queue, bytes), done);
    } else {
      const pieces = joinSmallRuns(queue);
      socket.cork();
      for (let i = 0; i < pieces.length - 1; i++) socket.write(pieces[i]!);
      socket.write(pieces[pieces.length - 1]!, done);
      socket.uncork();
    }
  }

  private onSocketClose(): void {
    if (this.closeHandled) return;
    this.closeHandled = true;
    this.open = false;
    const calls = [...this.pending.values()];
    this.pending.clear();
    // As failFast on channel close: waiting calls fail now instead of at their timeout.
    const err = new RemotingSendRequestError(`channel to ${this.remoteAddress} closed before the response`, {
      addr: this.remoteAddress,
    });
    for (const call of calls) {
      clearTimeout(call.timer);
      call.reject(err);
    }
    const callbacks = this.outCallbacks;
    const leases = this.outLeases;
    this.outQueue = [];
    this.outCallbacks = [];
    this.outLeases = [];
    this.outBytes = 0;
    this.outHasLarge = false;
    for (const lease of leases) lease.release();
    for (const cb of callbacks) cb(err);
    this.options.onClose?.(this);
  }
}

/**
 * A turn's writes as few buffers as possible without copying big ones: consecutive pieces under
 * ZERO_COPY_BODY are joined (up to CONCAT_LIMIT), big ones (pull bodies) go as they are.
 */
function joinSmallRuns(queue: Buffer[]): Buffer[] {
  const out: Buffer[] = [];
  let run: Buffer[] = [];
  let runBytes = 0;
  const endRun = (): void => {
    if (run.length === 1) out.push(run[0]!);
    else if (run.length > 1) out.push(Buffer.concat(run, runBytes));
    run = [];
    runBytes = 0;
  };
  for (const b of queue) {
    if (b.length >= ZERO_COPY_BODY) {
      endRun();
      out.push(b);
      continue;
    }
    if (runBytes + b.length > CONCAT_LIMIT) endRun();
    run.push(b);
    runBytes += b.length;
  }
  endRun();
  return out;
}
