/**
 * The CommitLog's write thread (commitLogWriteWorkerEnable): fills in each message's body CRC and
 * writes sealed batches with positioned writes, so that the event loop only encodes. A 1 KiB body's
 * CRC32 costs ~0.6 us and handing a write to the libuv pool a few more per batch: on the event loop
 * that is a fifth of the store's cost per message; here it overlaps the encoding of the next batch.
 *
 * Protocol (one port, in order): `chunk` registers a SharedArrayBuffer the CommitLog encodes into,
 * `drop` forgets one, `write` fills CRCs and writes segments, answered by `written` with the same seq.
 */
import * as fs from 'node:fs';
import { parentPort } from 'node:worker_threads';
import { crc32 } from 'node:zlib';

export type WriteWorkerRequest =
  | { type: 'chunk'; id: number; sab: SharedArrayBuffer }
  | { type: 'drop'; id: number }
  | {
      type: 'write';
      seq: number;
      /** Per message: chunk id, CRC position, body start, body length (all in chunk bytes). */
      crcJobs: Int32Array;
      /** Per segment: chunk id, start, end, fd, file position. */
      segments: number[];
    };

export type WriteWorkerResponse = { type: 'written'; seq: number; error?: string };

const chunks = new Map<number, Buffer>();

function fillCrcs(jobs: Int32Array): void {
  for (let i = 0; i < jobs.length; i += 4) {
    const buf = chunks.get(jobs[i]!)!;
    const bodyStart = jobs[i + 2]!;
    const crc = crc32(buf.subarray(bodyStart, bodyStart + jobs[i + 3]!)) & 0x7fffffff;
    buf.writeInt32BE(crc, jobs[i + 1]!);
  }
}

function writeSegments(segs: number[]): void {
  for (let i = 0; i < segs.length; i += 5) {
    const buf = chunks.get(segs[i]!)!;
    const start = segs[i + 1]!;
    const len = segs[i + 2]! - start;
    const fd = segs[i + 3]!;
    const filePos = segs[i + 4]!;
    let done = 0;
    while (done < len) {
      const n = fs.writeSync(fd, buf, start + done, len - done, filePos + done);
      if (n === 0) throw new Error(`write returned 0 bytes at file position ${filePos + done}`);
      done += n;
    }
  }
}

const port = parentPort;
if (port) {
  port.on('message', (m: WriteWorkerRequest) => {
    if (m.type === 'chunk') chunks.set(m.id, Buffer.from(m.sab));
    else if (m.type === 'drop') chunks.delete(m.id);
    else {
      let error: string | undefined;
      try {
        fillCrcs(m.crcJobs);
        writeSegments(m.segments);
      } catch (err) {
        error = err instanceof Error ? err.message : String(err);
      }
      const reply: WriteWorkerResponse = { type: 'written', seq: m.seq, ...(error ? { error } : {}) };
      port.postMessage(reply);
    }
  });
}
