import * as fs from 'node:fs';
import { dirname } from 'node:path';
import { readLong, writeLong } from '../common/message-decoder.js';
import { OS_PAGE_SIZE } from './mapped-file.js';

/**
 * The `checkpoint` file (protocol.md s.6, store/StoreCheckpoint.java): one 4 KiB page holding the
 * store time of the last message known safe in the CommitLog (@0), the ConsumeQueues (@8) and the
 * index (@16). Abnormal recovery starts from the CommitLog file whose first message is older.
 */
export class StoreCheckpoint {
  physicMsgTimestamp = 0;
  logicsMsgTimestamp = 0;
  indexMsgTimestamp = 0;
  private readonly fd: number;
  private readonly page = Buffer.alloc(OS_PAGE_SIZE);

  constructor(readonly path: string) {
    fs.mkdirSync(dirname(path), { recursive: true });
    const exists = fs.existsSync(path);
    this.fd = fs.openSync(path, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    if (exists) {
      const n = fs.readSync(this.fd, this.page, 0, 24, 0);
      if (n === 24) {
        this.physicMsgTimestamp = readLong(this.page, 0);
        this.logicsMsgTimestamp = readLong(this.page, 8);
        this.indexMsgTimestamp = readLong(this.page, 16);
      }
    }
    if (fs.fstatSync(this.fd).size < OS_PAGE_SIZE) fs.ftruncateSync(this.fd, OS_PAGE_SIZE);
  }

  /** min(physic, logics) - 3 s, as RocketMQ: the safe point when the index is not trusted. */
  getMinTimestamp(): number {
    return Math.max(0, Math.min(this.physicMsgTimestamp, this.logicsMsgTimestamp) - 3000);
  }

  getMinTimestampIndex(): number {
    return Math.min(this.getMinTimestamp(), this.indexMsgTimestamp);
  }

  private fill(): void {
    writeLong(this.page, this.physicMsgTimestamp, 0);
    writeLong(this.page, this.logicsMsgTimestamp, 8);
    writeLong(this.page, this.indexMsgTimestamp, 16);
  }

  /** Writes the three timestamps and fsyncs, off the event loop. */
  flush(): Promise<void> {
    this.fill();
    const snapshot = Buffer.from(this.page.subarray(0, 24));
    return new Promise((resolve, reject) => {
      fs.write(this.fd, snapshot, 0, 24, 0, (err) => {
        if (err) return reject(err);
        fs.fdatasync(this.fd, (err2) => (err2 ? reject(err2) : resolve()));
      });
    });
  }

  flushSync(): void {
    this.fill();
    fs.writeSync(this.fd, this.page, 0, 24, 0);
    fs.fdatasyncSync(this.fd);
  }

  shutdown(): void {
    this.flushSync();
    this.close();
  }

  /** Closes without writing (tests that leave a store as a crash would). */
  close(): void {
    fs.closeSync(this.fd);
  }
}
