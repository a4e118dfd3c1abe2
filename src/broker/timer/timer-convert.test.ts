import { describe, expect, it } from 'vitest';
import { MessageConst } from '../../common/message-const.js';
import { decodeProperties, encodeProperties } from '../../common/message-properties.js';
import { propertiesForDelivery, removeProperty, setProperty } from './timer-convert.js';

/** The delivery's properties the long way: one lookup, removal or replacement at a time. */
function stepByStep(s: string, now: number): string {
  let props = setProperty(s, MessageConst.PROPERTY_WAIT_STORE_MSG_OK, 'false');
  props = removeProperty(props, MessageConst.PROPERTY_REAL_TOPIC);
  props = removeProperty(props, MessageConst.PROPERTY_REAL_QUEUE_ID);
  return setProperty(props, MessageConst.PROPERTY_TIMER_DEQUEUE_MS, String(now));
}

const base = {
  TIMER_DELIVER_MS: '1764100000000',
  [MessageConst.PROPERTY_REAL_TOPIC]: 'Orders',
  [MessageConst.PROPERTY_REAL_QUEUE_ID]: '3',
  [MessageConst.PROPERTY_TAGS]: 'TagA',
  [MessageConst.PROPERTY_KEYS]: 'k1 k2',
  [MessageConst.PROPERTY_UNIQ_CLIENT_MESSAGE_ID_KEYIDX]: '7F0000010001',
  TIMER_OUT_MS: '1764100000000',
};

describe('propertiesForDelivery', () => {
  const cases: [string, string][] = [
    ['as 4.9.8 encodes (trailing separator)', encodeProperties({ ...base, WAIT: 'true' })],
    ['no trailing separator', encodeProperties({ ...base, WAIT: 'true' }).slice(0, -1)],
    ['without WAIT', encodeProperties(base)],
    ['with an old TIMER_DEQUEUE_MS', encodeProperties({ ...base, TIMER_DEQUEUE_MS: '1' })],
    ['real topic and queue last', encodeProperties({ a: 'b', REAL_TOPIC: 'Orders', REAL_QID: '3' })],
  ];
  for (const [name, s] of cases) {
    it(`matches the step-by-step rewrite: ${name}`, () => {
      const d = propertiesForDelivery(s, 1_764_100_000_123);
      expect(decodeProperties(d.props)).toEqual(decodeProperties(stepByStep(s, 1_764_100_000_123)));
      expect(d.props.endsWith(`${MessageConst.PROPERTY_TIMER_DEQUEUE_MS}\u00011764100000123`)).toBe(true);
      expect(d.topic).toBe('Orders');
      expect(d.queueId).toBe('3');
    });
  }

  it('reads TAGS, KEYS and UNIQ_KEY on the way and keeps them in the string', () => {
    const d = propertiesForDelivery(encodeProperties(base), 5);
    expect([d.tags, d.keys, d.uniqKey]).toEqual(['TagA', 'k1 k2', '7F0000010001']);
    const out = decodeProperties(d.props);
    expect(out[MessageConst.PROPERTY_WAIT_STORE_MSG_OK]).toBe('false');
    expect(out[MessageConst.PROPERTY_REAL_TOPIC]).toBeUndefined();
    expect(out[MessageConst.PROPERTY_REAL_QUEUE_ID]).toBeUndefined();
    expect(out.TIMER_OUT_MS).toBe('1764100000000');
  });

  it('a name that only ends like a known one is kept, and empty values read as absent', () => {
    const d = propertiesForDelivery('XREAL_TOPIC\u0001x\u0002REAL_TOPIC\u0001\u0002REAL_QID\u00010\u0002', 1);
    expect(d.topic).toBeUndefined();
    expect(decodeProperties(d.props).XREAL_TOPIC).toBe('x');
  });
});
