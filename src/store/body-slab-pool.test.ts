import { describe, expect, it } from 'vitest';
import { BODY_SLAB_BYTES, BodySlabPool } from './body-slab-pool.js';

const BODY = 33 * 1024;
/** Bodies of BODY bytes one slab holds (8-byte aligned starts). */
const PER_SLAB = Math.floor(BODY_SLAB_BYTES / BODY);

function overlaps(a: Buffer, b: Buffer): boolean {
  if (a.buffer !== b.buffer) return false;
  return a.byteOffset < b.byteOffset + b.length && b.byteOffset < a.byteOffset + a.length;
}

describe('BodySlabPool', () => {
  it('carves bodies one after another out of a slab, 8-byte aligned', () => {
    const pool = new BodySlabPool();
    const a = pool.take(1001);
    const b = pool.take(2000);
    expect(a.body.length).toBe(1001);
    expect(b.body.buffer).toBe(a.body.buffer);
    expect(b.body.byteOffset - a.body.byteOffset).toBe(1008);
    expect(pool.allocated).toBe(1);
  });

  it('reuses a full slab only once every body carved from it is released', () => {
    const pool = new BodySlabPool();
    const first = Array.from({ length: PER_SLAB }, () => pool.take(BODY));
    const held = first.pop()!;
    for (const l of first) l.release();
    // the first slab is full now, but one body of it is still out: a new slab is allocated
    const next = Array.from({ length: PER_SLAB + 1 }, () => pool.take(BODY));
    expect(pool.allocated).toBe(3);
    expect(pool.reused).toBe(0);
    for (const l of next) expect(overlaps(l.body, held.body)).toBe(false);
    held.release();
    for (const l of next) l.release();
    // the first two slabs are free; the third is being carved
    const later = Array.from({ length: 2 * PER_SLAB }, () => pool.take(BODY));
    expect(pool.reused).toBe(2);
    expect(pool.allocated).toBe(3);
    expect(later.some((l) => l.body.buffer === held.body.buffer)).toBe(true);
  });

  it('a second release of the same lease does not free another body', () => {
    const pool = new BodySlabPool();
    const a = pool.take(BODY);
    const b = pool.take(BODY);
    a.release();
    a.release();
    // b is still out: if the double release had counted, the slab would be reused under it
    for (let i = 0; i < 3 * PER_SLAB; i++) expect(overlaps(pool.take(BODY).body, b.body)).toBe(false);
    expect(pool.reused).toBe(0);
  });

  it('never hands out a slab that has an unreleased body', () => {
    const pool = new BodySlabPool();
    const out: { body: Buffer; release(): void }[] = [];
    // pseudo-random take/release sequence; every body live at a time must be disjoint
    let seed = 7;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    let clashes = 0;
    for (let step = 0; step < 4000; step++) {
      if (out.length > 0 && rnd(3) === 0) out.splice(rnd(out.length), 1)[0]!.release();
      else {
        const l = pool.take(1 + rnd(64 * 1024));
        for (const o of out) if (overlaps(o.body, l.body)) clashes++;
        out.push(l);
      }
    }
    expect(clashes).toBe(0);
    expect(pool.reused).toBeGreaterThan(0);
  });

  it('gives a big body a buffer of its own', () => {
    const pool = new BodySlabPool();
    const big = pool.take(BODY_SLAB_BYTES / 2);
    expect(big.body.length).toBe(BODY_SLAB_BYTES / 2);
    expect(pool.allocated).toBe(0);
    big.release();
  });
});
