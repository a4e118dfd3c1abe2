import { describe, expect, it } from 'vitest';
import { defaultBrokerConfig } from '../broker-config.js';
import type { BrokerContext } from '../broker-context.js';
import { SendBackPressure } from './send-back-pressure.js';

function ctx(
  overrides: Partial<ReturnType<typeof defaultBrokerConfig>> = {},
  pageCacheBusy = false,
): BrokerContext {
  return {
    brokerConfig: { ...defaultBrokerConfig(), ...overrides },
    messageStore: { isOSPageCacheBusy: () => pageCacheBusy },
  } as unknown as BrokerContext;
}

describe('SendBackPressure', () => {
  it('refuses with [OVERLOAD] when too many sends wait for the store', () => {
    const bp = new SendBackPressure(ctx({ sendThreadPoolQueueCapacity: 2 }));
    expect(bp.check()).toBeUndefined();
    bp.begin();
    bp.begin();
    expect(bp.check()).toMatch(/^\[OVERLOAD\]system busy/);
    bp.end();
    expect(bp.check()).toBeUndefined();
  });

  it('refuses with [TIMEOUT_CLEAN_QUEUE] while the store has made no progress for waitTimeMillsInSendQueue', async () => {
    const bp = new SendBackPressure(ctx({ waitTimeMillsInSendQueue: 30 }));
    bp.begin();
    expect(bp.check()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 60));
    expect(bp.check()).toMatch(
      /^\[TIMEOUT_CLEAN_QUEUE\]broker busy, start flow control for a while, period in queue: \d+ms, size of queue: 1$/,
    );
    bp.end();
    expect(bp.check()).toBeUndefined();
    const off = new SendBackPressure(ctx({ waitTimeMillsInSendQueue: 30, brokerFastFailureEnable: false }));
    off.begin();
    await new Promise((r) => setTimeout(r, 60));
    expect(off.check()).toBeUndefined();
  });

  it('refuses with [PCBUSY_CLEAN_QUEUE] when the store says its page cache is busy', () => {
    const bp = new SendBackPressure(ctx({}, true));
    expect(bp.check()).toBeUndefined();
    bp.begin();
    expect(bp.check()).toMatch(/^\[PCBUSY_CLEAN_QUEUE\]/);
  });

  it('puts written and only waiting for a slave (SYNC_MASTER) or a flush are not a stalled store', async () => {
    let idle = false;
    const mappedFileQueue = { committedWhere: 0 };
    const c = {
      brokerConfig: { ...defaultBrokerConfig(), waitTimeMillsInSendQueue: 30 },
      messageStore: { commitLog: { isIdle: () => idle, mappedFileQueue } },
    } as unknown as BrokerContext;
    const bp = new SendBackPressure(c);
    bp.begin();
    await new Promise((r) => setTimeout(r, 60));
    expect(bp.check()).toMatch(/^\[TIMEOUT_CLEAN_QUEUE\]/); // its bytes are not written yet
    mappedFileQueue.committedWhere = 100; // others' bytes were written meanwhile: the store moves
    expect(bp.check()).toBeUndefined();
    await new Promise((r) => setTimeout(r, 60));
    expect(bp.check()).toMatch(/^\[TIMEOUT_CLEAN_QUEUE\]/);
    idle = true; // everything written; the answers wait for the slave
    expect(bp.check()).toBeUndefined();
  });
});
