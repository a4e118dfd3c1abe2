/**
 * Frames cut out of a socket's reads for the generators' own connections, with no allocation per read
 * or per frame: the socket reads into one buffer (net's `onread`), a frame that lies whole in a read is
 * handed on where it is, and only one split across reads is copied, into a reassembly buffer that is
 * reused. A frame handed on is valid only during the call.
 */
import { connect, type Socket } from 'node:net';
import { parseAddress } from '../src/remoting/remoting-client.js';

export type OnFrame = (buf: Buffer, at: number, total: number) => void;

const READ_BUFFER_BYTES = 256 * 1024;

export class FrameReader {
  /** For net.connect's `onread`: the buffer the socket reads into. */
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private frame = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  private have = 0;
  /** Bytes of the frame being reassembled, length word included; 0 while its length is unknown. */
  private need = 0;

  constructor(private readonly onFrame: OnFrame) {}

  /** net.connect's `onread.callback`: the first `n` bytes of `buf` were read. */
  onRead(buf: Buffer, n: number): void {
    let p = 0;
    while (p < n) {
      if (this.have === 0 && n - p >= 4) {
        const total = 4 + buf.readInt32BE(p);
        if (n - p >= total) {
          this.onFrame(buf, p, total);
          p += total;
          continue;
        }
        this.need = total;
      }
      const want = this.need > 0 ? this.need - this.have : 4 - this.have;
      const take = Math.min(want, n - p);
      if (this.have + take > this.frame.length) {
        const bigger = Buffer.allocUnsafe(Math.max(this.need, this.frame.length * 2));
        this.frame.copy(bigger, 0, 0, this.have);
        this.frame = bigger;
      }
      buf.copy(this.frame, this.have, p, p + take);
      this.have += take;
      p += take;
      if (this.need === 0 && this.have === 4) this.need = 4 + this.frame.readInt32BE(0);
      if (this.need > 0 && this.have === this.need) {
        this.have = 0;
        this.need = 0;
        this.onFrame(this.frame, 0, this.frame.readInt32BE(0) + 4);
      }
    }
  }
}

/** A connection whose reads go into `reader`; `afterRead` runs once a read's frames are handed on. */
export function connectFrames(addr: string, reader: FrameReader, afterRead?: () => void): Socket {
  const { host, port } = parseAddress(addr);
  return connect({
    host,
    port,
    noDelay: true,
    onread: {
      buffer: reader.readBuffer,
      callback: (n: number, buf: Uint8Array) => {
        reader.onRead(buf as Buffer, n);
        afterRead?.();
        return true;
      },
    },
  });
}
