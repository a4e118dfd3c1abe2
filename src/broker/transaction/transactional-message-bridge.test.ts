import { describe, expect, it } from 'vitest';
import { decodeProperties } from '../../common/message-properties.js';
import { withRealTopicAndQueue } from './transactional-message-bridge.js';

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
