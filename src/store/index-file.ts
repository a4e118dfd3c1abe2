import { readLong, writeLong } from '../common/message-decoder.js';
import { MappedFile } from './mapped-file.js';

export const INDEX_HEADER_SIZE = 40;
const HASH_SLOT_SIZE = 4;
const INDEX_SIZE = 20;
const INVALID_INDEX = 0;
const INT_MAX = 0x7fffffff;
const PAGE = 4096;
const SLOTS_PER_PAGE = PAGE / HASH_SLOT_SIZE;

/** IndexFile.indexKeyHashMethod: |String.hashCode|, with Integer.MIN_VALUE mapped to 0 as Java's abs overflows. */
export function indexKeyHash(javaHash: number): number {
  return javaHash === -2147483648 ? 0 : Math.abs(javaHash);
}

/**
 * One index file (protocol.md s.6, store/index/IndexFile.java): a 40-byte header, `hashSlotNum`
 * 4-byte slots (latest entry number for a key hash) and up to `indexNum` 20-byte entries (key hash,
 * commit log offset, seconds since beginTimestamp, previous entry number of the same slot).
 *
 * Without mmap, the slots of the file being written live in memory (an Int32Array, 20 MB at the
 * default 5,000,000 slots) and go to the file as dirty pages on flush and in full when the file fills
 * up; entries and header are written after each dispatch batch. A crash can thus leave stale slots on
 * disk but never stale entries, and loading the file rebuilds the slots from its entries.
 */
export class IndexFile {
  beginTimestamp = 0;
  endTimestamp = 0;
  beginPhyOffset = 0;
  endPhyOffset = 0;
  hashSlotCount = 0;
  indexCount = 1;
  private slots: Int32Array | undefined;
  private dirtyPages: Uint8Array | undefined;
  private pending = Buffer.allocUnsafe(INDEX_SIZE * 256);
  private pendingView = new DataView(this.pending.buffer, this.pending.byteOffset, this.pending.byteLength);
  private pendingLen = 0;
  private pendingFirst = 1;
  private readonly header = Buffer.alloc(INDEX_HEADER_SIZE);
  private readonly entriesStart: number;

  private constructor(
    readonly file: MappedFile,
    readonly hashSlotNum: number,
    readonly indexNum: number,
  ) {
    this.entriesStart = INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE;
  }

  static totalSize(hashSlotNum: number, indexNum: number): number {
    return INDEX_HEADER_SIZE + hashSlotNum * HASH_SLOT_SIZE + indexNum * INDEX_SIZE;
  }

  /** A new, writable file continuing after the previous one's end (as the IndexFile constructor). */
  static create(
    path: string,
    hashSlotNum: number,
    indexNum: number,
    endPhyOffset: number,
    endTimestamp: number,
    now: number,
  ): IndexFile {
    const mf = MappedFile.create(path, 0, IndexFile.totalSize(hashSlotNum, indexNum), now);
    const f = new IndexFile(mf, hashSlotNum, indexNum);
    if (endPhyOffset > 0) {
      f.beginPhyOffset = endPhyOffset;
      f.endPhyOffset = endPhyOffset;
    }
    if (endTimestamp > 0) {
      f.beginTimestamp = endTimestamp;
      f.endTimestamp = endTimestamp;
    }
    f.slots = new Int32Array(hashSlotNum);
    f.dirtyPages = new Uint8Array(Math.ceil(hashSlotNum / SLOTS_PER_PAGE));
    f.writeHeader();
    return f;
  }

  /** Opens a file and reads its header (IndexHeader.load: an indexCount <= 0 reads as 1). */
  static load(path: string, hashSlotNum: number, indexNum: number): IndexFile {
    const mf = MappedFile.open(path, IndexFile.totalSize(hashSlotNum, indexNum), 0);
    const f = new IndexFile(mf, hashSlotNum, indexNum);
    mf.readSync(f.header, 0, INDEX_HEADER_SIZE, 0);
    f.beginTimestamp = readLong(f.header, 0);
    f.endTimestamp = readLong(f.header, 8);
    f.beginPhyOffset = readLong(f.header, 16);
    f.endPhyOffset = readLong(f.header, 24);
    f.hashSlotCount = f.header.readInt32BE(32);
    f.indexCount = Math.max(1, f.header.readInt32BE(36));
    if (f.indexCount > indexNum) f.indexCount = indexNum;
    return f;
  }

  get fileName(): string {
    return this.file.fileName;
  }

  isWriteFull(): boolean {
    return this.indexCount >= this.indexNum;
  }

  isTimeMatched(begin: number, end: number): boolean {
    return (
      (begin < this.beginTimestamp && end > this.endTimestamp) ||
      (begin >= this.beginTimestamp && begin <= this.endTimestamp) ||
      (end >= this.beginTimestamp && end <= this.endTimestamp)
    );
  }

  /** Makes a cleanly closed file writable again: its slots read back from disk. */
  loadSlots(): void {
    const bytes = Buffer.allocUnsafe(this.hashSlotNum * HASH_SLOT_SIZE);
    this.file.readSync(bytes, 0, bytes.length, INDEX_HEADER_SIZE);
    const slots = new Int32Array(this.hashSlotNum);
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let i = 0; i < slots.length; i++) slots[i] = dv.getInt32(i * HASH_SLOT_SIZE);
    this.slots = slots;
    this.dirtyPages = new Uint8Array(Math.ceil(this.hashSlotNum / SLOTS_PER_PAGE));
  }

  /**
   * Makes a loaded file writable again: slots rebuilt from its entries (the on-disk slots may be
   * stale after a crash), and written back in full.
   */
  rebuildSlots(): void {
    const slots = new Int32Array(this.hashSlotNum);
    let hashSlotCount = 0;
    const chunkEntries = 4096;
    const buf = Buffer.allocUnsafe(chunkEntries * INDEX_SIZE);
    for (let first = 1; first < this.indexCount; first += chunkEntries) {
      const count = Math.min(chunkEntries, this.indexCount - first);
      this.file.readSync(buf, 0, count * INDEX_SIZE, this.entriesStart + first * INDEX_SIZE);
      for (let i = 0; i < count; i++) {
        const slot = buf.readInt32BE(i * INDEX_SIZE) % this.hashSlotNum;
        if (slots[slot] === INVALID_INDEX) hashSlotCount++;
        slots[slot] = first + i;
      }
    }
    this.slots = slots;
    this.hashSlotCount = hashSlotCount;
    this.dirtyPages = new Uint8Array(Math.ceil(this.hashSlotNum / SLOTS_PER_PAGE)).fill(1);
    this.writeDirtySlots();
    this.writeHeader();
  }

  /** Drops entries for messages at or beyond `phyOffset` (the CommitLog was cut there). */
  truncate(phyOffset: number): void {
    if (this.endPhyOffset < phyOffset) return;
    this.flushPending();
    const buf = Buffer.allocUnsafe(INDEX_SIZE);
    let count = this.indexCount;
    let endPhy = this.beginPhyOffset;
    let endTs = this.beginTimestamp;
    while (count > 1) {
      this.file.readSync(buf, 0, INDEX_SIZE, this.entriesStart + (count - 1) * INDEX_SIZE);
      const phy = readLong(buf, 4);
      if (phy < phyOffset) {
        endPhy = phy;
        endTs = this.beginTimestamp + buf.readInt32BE(12) * 1000;
        break;
      }
      count--;
    }
    this.indexCount = count;
    this.endPhyOffset = endPhy;
    this.endTimestamp = endTs;
    this.rebuildSlots();
  }

  /** IndexFile.putKey: false when the file is full. `keyHash` is indexKeyHash(hash of "topic#key"). */
  putKey(keyHash: number, phyOffset: number, storeTimestamp: number): boolean {
    if (this.indexCount >= this.indexNum) return false;
    const slots = this.slots!;
    const slotPos = keyHash % this.hashSlotNum;
    let slotValue = slots[slotPos]!;
    if (slotValue <= INVALID_INDEX || slotValue > this.indexCount) slotValue = INVALID_INDEX;
    let timeDiff = Math.trunc((storeTimestamp - this.beginTimestamp) / 1000);
    if (this.beginTimestamp <= 0 || timeDiff < 0) timeDiff = 0;
    else if (timeDiff > INT_MAX) timeDiff = INT_MAX;
    if (this.pendingLen === 0) this.pendingFirst = this.indexCount;
    if (this.pendingLen + INDEX_SIZE > this.pending.length) {
      const bigger = Buffer.allocUnsafe(this.pending.length * 2);
      this.pending.copy(bigger, 0, 0, this.pendingLen);
      this.pending = bigger;
      this.pendingView = new DataView(bigger.buffer, bigger.byteOffset, bigger.byteLength);
    }
    const p = this.pendingLen;
    const dv = this.pendingView;
    dv.setInt32(p, keyHash);
    dv.setInt32(p + 4, Math.floor(phyOffset / 0x1_0000_0000));
    dv.setUint32(p + 8, phyOffset >>> 0);
    dv.setInt32(p + 12, timeDiff);
    dv.setInt32(p + 16, slotValue);
    this.pendingLen += INDEX_SIZE;
    slots[slotPos] = this.indexCount;
    this.dirtyPages![(slotPos / SLOTS_PER_PAGE) | 0] = 1;
    if (this.indexCount <= 1) {
      this.beginPhyOffset = phyOffset;
      this.beginTimestamp = storeTimestamp;
    }
    if (slotValue === INVALID_INDEX) this.hashSlotCount++;
    this.indexCount++;
    this.endPhyOffset = phyOffset;
    this.endTimestamp = storeTimestamp;
    return true;
  }

  /** Bytes of entries added but not yet written. */
  pendingBytes(): number {
    return this.pendingLen;
  }

  /** Writes the entries added since the last call, then the header (so the header never counts unwritten entries). */
  flushPending(): void {
    if (this.pendingLen === 0) return;
    this.file.writeSync(this.pending, 0, this.pendingLen, this.entriesStart + this.pendingFirst * INDEX_SIZE);
    this.pendingLen = 0;
    this.writeHeader();
  }

  private writeHeader(): void {
    const h = this.header;
    writeLong(h, this.beginTimestamp, 0);
    writeLong(h, this.endTimestamp, 8);
    writeLong(h, this.beginPhyOffset, 16);
    writeLong(h, this.endPhyOffset, 24);
    h.writeInt32BE(this.hashSlotCount, 32);
    h.writeInt32BE(this.indexCount, 36);
    this.file.writeSync(h, 0, INDEX_HEADER_SIZE, 0);
  }

  /** Writes the slot pages changed since the last call (big-endian, as Java's ByteBuffer). */
  writeDirtySlots(): void {
    const slots = this.slots;
    const dirty = this.dirtyPages;
    if (!slots || !dirty) return;
    let page = 0;
    while (page < dirty.length) {
      if (dirty[page] === 0) {
        page++;
        continue;
      }
      let endPage = page;
      while (endPage < dirty.length && dirty[endPage] === 1 && endPage - page < 256) dirty[endPage++] = 0;
      const firstSlot = page * SLOTS_PER_PAGE;
      const lastSlot = Math.min(this.hashSlotNum, endPage * SLOTS_PER_PAGE);
      const buf = Buffer.allocUnsafe((lastSlot - firstSlot) * HASH_SLOT_SIZE);
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
      for (let s = firstSlot; s < lastSlot; s++) dv.setInt32((s - firstSlot) * HASH_SLOT_SIZE, slots[s]!);
      this.file.writeSync(buf, 0, buf.length, INDEX_HEADER_SIZE + firstSlot * HASH_SLOT_SIZE);
      page = endPage;
    }
  }

  /** Persists slots and header and fsyncs (IndexService.flush); a full file then drops its in-memory slots. */
  async flush(): Promise<void> {
    this.flushPending();
    this.writeDirtySlots();
    this.writeHeader();
    await this.file.fsync();
    if (this.isWriteFull()) {
      this.slots = undefined;
      this.dirtyPages = undefined;
    }
  }

  private async readSlot(slotPos: number): Promise<number> {
    if (this.slots) return this.slots[slotPos]!;
    const b = Buffer.allocUnsafe(HASH_SLOT_SIZE);
    if (
      (await this.file.read(b, 0, HASH_SLOT_SIZE, INDEX_HEADER_SIZE + slotPos * HASH_SLOT_SIZE)) !==
      HASH_SLOT_SIZE
    )
      return INVALID_INDEX;
    return b.readInt32BE(0);
  }

  /** IndexFile.selectPhyOffset: walks the slot's chain newest first, keeping entries in [begin, end]. */
  async selectPhyOffset(
    out: number[],
    keyHash: number,
    maxNum: number,
    begin: number,
    end: number,
  ): Promise<void> {
    // the chain is walked on disk: entries still gathering in memory go first
    this.flushPending();
    const slotValue = await this.readSlot(keyHash % this.hashSlotNum);
    if (slotValue <= INVALID_INDEX || slotValue > this.indexCount || this.indexCount <= 1) return;
    const entry = Buffer.allocUnsafe(INDEX_SIZE);
    for (let next = slotValue; out.length < maxNum; ) {
      if ((await this.file.read(entry, 0, INDEX_SIZE, this.entriesStart + next * INDEX_SIZE)) !== INDEX_SIZE)
        return;
      const keyHashRead = entry.readInt32BE(0);
      const phyOffsetRead = readLong(entry, 4);
      const timeDiff = entry.readInt32BE(12);
      const prev = entry.readInt32BE(16);
      if (timeDiff < 0) return;
      const timeRead = this.beginTimestamp + timeDiff * 1000;
      if (keyHash === keyHashRead && timeRead >= begin && timeRead <= end) out.push(phyOffsetRead);
      if (prev <= INVALID_INDEX || prev > this.indexCount || prev === next || timeRead < begin) return;
      next = prev;
    }
  }

  shutdown(): void {
    if (this.slots) {
      this.flushPending();
      this.writeDirtySlots();
      this.writeHeader();
      this.file.fsyncSync();
    }
    this.file.shutdown();
  }

  destroy(offEventLoop = false): void {
    this.slots = undefined;
    this.file.destroy(offEventLoop);
  }
}
