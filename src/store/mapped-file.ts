import * as fs from 'node:fs';
import { basename, dirname } from 'node:path';
import { StoreError } from './store-error.js';

export const OS_PAGE_SIZE = 4096;

/** Makes a folder's entries (new or renamed files) durable. */
export function fsyncDir(dir: string): void {
  const fd = fs.openSync(dir, fs.constants.O_RDONLY);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** RocketMQ's file names: the start offset, 20 digits, zero padded (UtilAll.offset2FileName). */
export function offset2FileName(offset: number): string {
  return String(offset).padStart(20, '0');
}

/**
 * One preallocated file of a MappedFileQueue (store/MappedFile.java). Node has no mmap, so this is a
 * file descriptor with positioned writes and reads, and the page cache plays the part of the mapping.
 * Positions mirror RocketMQ's: wrote (bytes handed out to writers), committed (bytes written to the
 * file, visible to readers), flushed (bytes fsynced).
 *
 * Reads hold a reference so that a file deleted by retention is closed only after the reads in
 * flight finish (ReferenceResource): otherwise a recycled descriptor number could serve another file.
 */
export class MappedFile {
  wrotePosition = 0;
  committedPosition = 0;
  flushedPosition = 0;
  /** Store time of the last message written here (CommitLog), for the checkpoint. */
  storeTimestamp = 0;
  /** First file ever created in an empty queue (ConsumeQueue pads it when it starts past 0). */
  firstCreateInQueue = false;
  private refCount = 1;
  private available = true;
  private closed = false;

  private constructor(
    readonly fileName: string,
    readonly fileFromOffset: number,
    readonly fileSize: number,
    /** Also used by the CommitLog write thread, which writes the files the CommitLog is appending to. */
    readonly fd: number,
    /** In-memory stand-in for the file's mtime, driven by the store's clock (retention, time lookups). */
    public lastModifiedTimestamp: number,
  ) {}

  /**
   * Creates a file preallocated sparsely to `fileSize` (or reuses one of that size). It is sized under
   * a temporary name and renamed, and the folder is fsynced, so that a crash never leaves a short file
   * under a store name and a file holding acknowledged data never loses its name.
   */
  static create(path: string, fileFromOffset: number, fileSize: number, now: number): MappedFile {
    let fd: number;
    try {
      fd = fs.openSync(path, fs.constants.O_RDWR);
      if (fs.fstatSync(fd).size !== fileSize) fs.ftruncateSync(fd, fileSize);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const tmp = `${path}.tmp`;
      fd = fs.openSync(tmp, fs.constants.O_RDWR | fs.constants.O_CREAT | fs.constants.O_TRUNC, 0o644);
      try {
        fs.ftruncateSync(fd, fileSize);
        fs.renameSync(tmp, path);
        fsyncDir(dirname(path));
      } catch (err2) {
        fs.closeSync(fd);
        throw err2;
      }
    }
    return new MappedFile(path, fileFromOffset, fileSize, fd, now);
  }

  /**
   * Opens an existing file of exactly `fileSize` bytes; unless given, its start offset is its name
   * (20 digits).
   */
  static open(path: string, fileSize: number, fileFromOffset?: number): MappedFile {
    const name = basename(path);
    if (fileFromOffset === undefined && !/^\d{20}$/.test(name))
      throw new StoreError(`not a store file name: ${path}`);
    const fd = fs.openSync(path, fs.constants.O_RDWR);
    const st = fs.fstatSync(fd);
    if (st.size !== fileSize) {
      fs.closeSync(fd);
      throw new StoreError(`${path}: length ${st.size} does not match the configured file size ${fileSize}`);
    }
    return new MappedFile(path, fileFromOffset ?? Number(name), fileSize, fd, st.mtimeMs);
  }

  isFull(): boolean {
    return this.wrotePosition === this.fileSize;
  }

  isAvailable(): boolean {
    return this.available;
  }

  /** Takes a reference for an I/O; false when the file is being deleted. */
  hold(): boolean {
    if (!this.available) return false;
    this.refCount++;
    return true;
  }

  release(): void {
    this.refCount--;
    if (this.refCount === 0 && !this.closed) {
      this.closed = true;
      fs.close(this.fd, () => {});
    }
  }

  writeSync(buf: Uint8Array, off: number, len: number, filePos: number): void {
    let done = 0;
    while (done < len) done += fs.writeSync(this.fd, buf, off + done, len - done, filePos + done);
  }

  /** Positioned write on the libuv pool; partial writes are continued. */
  write(buf: Uint8Array, off: number, len: number, filePos: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const step = (done: number): void => {
        if (done >= len) {
          resolve();
          return;
        }
        fs.write(this.fd, buf, off + done, len - done, filePos + done, (err, n) => {
          if (err) reject(err);
          else if (n === 0) reject(new StoreError(`write returned 0 bytes on ${this.fileName}`));
          else step(done + n);
        });
      };
      step(0);
    });
  }

  /** Positioned read; returns the byte count (short at the end of the file). */
  readSync(into: Uint8Array, intoOff: number, len: number, filePos: number): number {
    if (!this.hold()) return 0;
    try {
      return fs.readSync(this.fd, into, intoOff, len, filePos);
    } finally {
      this.release();
    }
  }

  /** Positioned read on the libuv pool; resolves -1 when the file is being deleted. */
  read(into: Uint8Array, intoOff: number, len: number, filePos: number): Promise<number> {
    if (!this.hold()) return Promise.resolve(-1);
    return new Promise((resolve, reject) => {
      fs.read(this.fd, into, intoOff, len, filePos, (err, n) => {
        this.release();
        if (err) reject(err);
        else resolve(n);
      });
    });
  }

  fsync(): Promise<void> {
    if (!this.hold()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      fs.fdatasync(this.fd, (err) => {
        this.release();
        if (err) reject(err);
        else resolve();
      });
    });
  }

  fsyncSync(): void {
    if (!this.hold()) return;
    try {
      fs.fdatasyncSync(this.fd);
    } finally {
      this.release();
    }
  }

  /**
   * Zeroes everything from `pos` to the end (shrink then re-extend: the tail becomes a hole), so that
   * bytes past a truncation point can never be taken for entries by a later recovery.
   */
  zeroTail(pos: number): void {
    fs.ftruncateSync(this.fd, pos);
    fs.ftruncateSync(this.fd, this.fileSize);
  }

  /** Sets all three positions (recovery and truncation). */
  setPositions(pos: number): void {
    this.wrotePosition = pos;
    this.committedPosition = pos;
    this.flushedPosition = pos;
  }

  /** Closes once the reads in flight are done. */
  shutdown(): void {
    if (!this.available) return;
    this.available = false;
    this.release();
  }

  /**
   * Closes (once idle) and unlinks the file. `offEventLoop` unlinks on the libuv pool (freeing a 1 GiB
   * file's blocks takes a while): only for files whose name never comes back (retention of old files).
   */
  destroy(offEventLoop = false): void {
    this.shutdown();
    if (offEventLoop) {
      fs.unlink(this.fileName, () => {});
      return;
    }
    try {
      fs.unlinkSync(this.fileName);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}
