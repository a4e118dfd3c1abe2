import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { TopicValidator } from '../../common/message-const.js';
import { decodeMessage } from '../../common/message-decoder.js';
import { decodeProperties } from '../../common/message-properties.js';
import type { DefaultMessageStore } from '../../store/default-message-store.js';
import { makeTempDir, openStore, tinyConfig } from '../../store/testing/store-fixture.js';
import { putOpMessage, REMOVETAG, withRealTopicAndQueue } from './transactional-message-bridge.js';

const dirs: string[] = [];
const stores: DefaultMessageStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.shutdown();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('withRealTopicAndQueue (parseHalfMessageInner without a map)', () => {
  it('appends REAL_TOPIC and REAL_QID to the string as sent, with or without a trailing separator', () => {
    const sent = 'TRAN_MSG\u0001true\u0002PGROUP\u0001G\u0002TAGS\u0001a';
    expect(withRealTopicAndQueue(sent, 'T1', 3)).toBe(`${sent}\u0002REAL_TOPIC\u0001T1\u0002REAL_QID\u00013`);
    expect(withRealTopicAndQueue(`${sent}\u0002`, 'T1', 3)).toBe(
      `${sent}\u0002REAL_TOPIC\u0001T1\u0002REAL_QID\u00013`,
    );
    expect(withRealTopicAndQueue('', 'T1', 0)).toBe('REAL_TOPIC\u0001T1\u0002REAL_QID\u00010');
    expect(decodeProperties(withRealTopicAndQueue(sent, 'T1', 3))).toEqual({
      TRAN_MSG: 'true',
      PGROUP: 'G',
      TAGS: 'a',
      REAL_TOPIC: 'T1',
      REAL_QID: '3',
    });
  });

  it('replaces REAL_TOPIC / REAL_QID already there (one value each), and matches names whole', () => {
    const m = decodeProperties(
      withRealTopicAndQueue('REAL_TOPIC\u0001old\u0002REAL_QID\u00019\u0002K\u0001v', 'T1', 3),
    );
    expect(m).toEqual({ REAL_TOPIC: 'T1', REAL_QID: '3', K: 'v' });
    // a value or a longer name that contains REAL_TOPIC is not the property
    const s = withRealTopicAndQueue('X_REAL_TOPIC\u0001a\u0002K\u0001REAL_TOPIC\u0001', 'T1', 3);
    expect(decodeProperties(s).REAL_TOPIC).toBe('T1');
    expect(decodeProperties(s).X_REAL_TOPIC).toBe('a');
  });
});

describe('putOpMessage (addRemoveTagInTransactionOp)', () => {
  it('stores the half queue offset with tag d, WAIT false and a UNIQ_KEY unique per op, indexed by it', async () => {
    const dir = makeTempDir();
    dirs.push(dir);
    const store = await openStore(tinyConfig(dir));
    stores.push(store);
    const uniqKeys = new Set<string>();
    for (const [queueId, queueOffset] of [
      [0, 7],
      [0, 8],
      [3, 123456789012],
    ] as const) {
      const r = await putOpMessage(store, { queueId, queueOffset }, Date.now());
      expect(r.status).toBe('PUT_OK');
      const m = decodeMessage((await store.commitLog.getMessage(r.result!.wroteOffset))!);
      expect([m.topic, m.queueId, m.body.toString('latin1')]).toEqual([
        TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
        queueId,
        String(queueOffset),
      ]);
      const props = m.properties;
      expect(Object.keys(props)).toEqual(['TAGS', 'WAIT', 'UNIQ_KEY']);
      expect([props.TAGS, props.WAIT]).toEqual([REMOVETAG, 'false']);
      expect(props.UNIQ_KEY).toMatch(/^[0-9A-F]{32}$/);
      uniqKeys.add(props.UNIQ_KEY!);
      await store.commitLog.waitWritten();
      const found = await store.queryMessage(
        TopicValidator.RMQ_SYS_TRANS_OP_HALF_TOPIC,
        props.UNIQ_KEY!,
        32,
        0,
        Number.MAX_SAFE_INTEGER,
      );
      expect(found.buffers.length).toBe(1);
    }
    expect(uniqKeys.size).toBe(3);
  });
});
