import { describe, expect, it } from 'vitest';
import { FrameSlab } from './frame-slab.js';
import { SendMessageResponseCommand } from './protocol/header/send-message-response-header.js';
import { decodeFrame, encodeCommand } from './remoting-codec.js';
import { RemotingCommand } from './remoting-command.js';

function reply(opaque: number): SendMessageResponseCommand {
  const request = new RemotingCommand(310, 'JAVA', 409, opaque, 0, null, {});
  return new SendMessageResponseCommand(request, 0, '7F00000100002A9F0000000000000000', 1, opaque, 'R', true);
}

function opaques(queue: Buffer[]): number[] {
  const all = Buffer.concat(queue);
  const out: number[] = [];
  for (let p = 0; p < all.length; ) {
    const len = all.readInt32BE(p);
    out.push(decodeFrame(all, p + 4, len).opaque);
    p += 4 + len;
  }
  return out;
}

describe('FrameSlab', () => {
  it('writes in-place frames and leaves the others to the caller, in order', () => {
    const slab = new FrameSlab();
    const queue: Buffer[] = [];
    expect(slab.write(reply(1), queue)).toBeGreaterThan(0);
    expect(slab.write(reply(2), queue)).toBeGreaterThan(0);
    const general = RemotingCommand.request(34);
    expect(slab.write(general, queue)).toBe(0);
    slab.cut(queue);
    queue.push(encodeCommand(general));
    slab.write(reply(3), queue);
    slab.cut(queue);
    slab.cut(queue);
    expect(queue).toHaveLength(3);
    expect(opaques(queue)).toEqual([1, 2, general.opaque, 3]);
  });

  it('starts a new slab when one is full and never rewrites bytes it handed out', () => {
    const slab = new FrameSlab();
    const queue: Buffer[] = [];
    const n = 2000; // ~200 bytes each: several 64 KiB slabs
    for (let i = 1; i <= n; i++) {
      slab.write(reply(i), queue);
      if (i % 7 === 0) slab.cut(queue);
    }
    slab.cut(queue);
    const copies = queue.map((b) => Buffer.from(b));
    for (let i = n + 1; i <= n + 50; i++) slab.write(reply(i), queue);
    expect(copies.every((c, i) => c.equals(queue[i]!))).toBe(true);
    slab.cut(queue);
    expect(opaques(queue)).toEqual(Array.from({ length: n + 50 }, (_, i) => i + 1));
  });
});
