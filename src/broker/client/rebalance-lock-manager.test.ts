import { describe, expect, it } from 'vitest';
import { RebalanceLockManager } from './rebalance-lock-manager.js';

describe('RebalanceLockManager', () => {
  it('locks per group and queue, renews for the holder, lets others take a lock after 60 s', () => {
    let now = 1_000_000;
    const m = new RebalanceLockManager(() => now);
    const q0 = { topic: 'T', brokerName: 'b', queueId: 0 };
    const q1 = { topic: 'T', brokerName: 'b', queueId: 1 };
    expect(m.tryLockBatch('G', [q0, q1], 'c1')).toEqual([q0, q1]);
    expect(m.tryLockBatch('G', [q0, q1], 'c2')).toEqual([]);
    expect(m.tryLockBatch('G2', [q0], 'c2')).toEqual([q0]);
    m.unlockBatch('G', [q1], 'c2');
    expect(m.isLocked('G', q1, 'c1')).toBe(true);
    m.unlockBatch('G', [q1], 'c1');
    expect(m.tryLockBatch('G', [q1], 'c2')).toEqual([q1]);
    now += 30_000;
    expect(m.tryLockBatch('G', [q0], 'c1')).toEqual([q0]);
    now += 59_000;
    expect(m.tryLockBatch('G', [q0], 'c2')).toEqual([]);
    now += 2_000;
    expect(m.tryLockBatch('G', [q0], 'c2')).toEqual([q0]);
    expect(m.isLocked('G', q0, 'c1')).toBe(false);
  });
});
