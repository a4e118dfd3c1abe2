import { describe, expect, it } from 'vitest';
import { decodeProperties, getPropertyFromString } from '../../common/message-properties.js';
import { withRealTopicAndQueue } from '../transaction/transactional-message-bridge.js';
import { SendPropertyScan } from './send-property-scan.js';

/** A small deterministic generator, so a failure names a seed that reproduces it. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const NAMES = [
  'TAGS',
  'WAIT',
  'KEYS',
  'DELAY',
  'CLUSTER',
  'TRAN_MSG',
  'UNIQ_KEY',
  'TIMER_DELAY_SEC',
  'TIMER_DELIVER_MS',
  '__STARTDELIVERTIME',
  'REAL_TOPIC',
  'REAL_QID',
  'XREAL_QID',
  'TAG',
  'XWAIT',
  'a',
  '',
];
const VALUES = ['', 'true', 'TRUE', 'false', '3', '0', 'TagA', 'k1 k2', 'x\u0001y', 'é'];

/** Property strings as producers send them, and the odd ones: empty values, duplicates, stray separators. */
function randomProperties(r: () => number): string {
  let s = '';
  const n = Math.floor(r() * 6);
  for (let i = 0; i < n; i++) {
    if (r() < 0.05) s += 'junk';
    else s += `${NAMES[Math.floor(r() * NAMES.length)]}\u0001${VALUES[Math.floor(r() * VALUES.length)]}`;
    if (i < n - 1 || r() < 0.4) s += '\u0002';
  }
  return s;
}

// The searches the scan replaces (4.9.8's semantics as SendMessageProcessor had them), as the oracle.
function withCluster(props: string, cluster: string): string {
  if (props.includes('CLUSTER\u0001')) return props;
  if (props.length === 0 || props.endsWith('\u0002')) return `${props}CLUSTER\u0001${cluster}\u0002`;
  return `${props}\u0002CLUSTER\u0001${cluster}`;
}

function withoutWait(s: string): { props: string; wait: boolean | undefined } {
  let at = s.indexOf('WAIT\u0001');
  while (at > 0 && s.charCodeAt(at - 1) !== 2) at = s.indexOf('WAIT\u0001', at + 1);
  if (at < 0) return { props: s, wait: undefined };
  const start = at + 5;
  const end = s.indexOf('\u0002', start);
  const value = s.substring(start, end < 0 ? s.length : end);
  if (value.length === 0) return { props: s, wait: undefined };
  return {
    props: end >= 0 ? s.slice(0, at) + s.slice(end + 1) : s.slice(0, Math.max(0, at - 1)),
    wait: value.toLowerCase() === 'true',
  };
}

describe('SendPropertyScan', () => {
  it('finds what getPropertyFromString finds, and builds the string the searches built', () => {
    const r = rng(42);
    const scan = new SendPropertyScan();
    let dropped = 0;
    let realSeen = 0;
    for (let n = 0; n < 5000; n++) {
      const s = randomProperties(r);
      scan.scan(s);
      expect(scan.tags, s).toBe(getPropertyFromString(s, 'TAGS'));
      expect(scan.keys, s).toBe(getPropertyFromString(s, 'KEYS'));
      expect(scan.uniqKey, s).toBe(getPropertyFromString(s, 'UNIQ_KEY'));
      expect(scan.delay, s).toBe(getPropertyFromString(s, 'DELAY'));
      expect(scan.tranMsg, s).toBe(getPropertyFromString(s, 'TRAN_MSG') === 'true');
      const timer = ['TIMER_DELAY_SEC', 'TIMER_DELIVER_MS', '__STARTDELIVERTIME'].some((k) =>
        s.split('\u0002').some((e) => e.startsWith(`${k}\u0001`)),
      );
      expect(scan.timer, s).toBe(timer);
      // a prepared message built with the scan's answer reads as the one that searched the string
      const half = withRealTopicAndQueue(s, 'T1', 3, scan.hasRealTopicOrQueue);
      expect(getPropertyFromString(half, 'REAL_TOPIC'), s).toBe('T1');
      expect(getPropertyFromString(half, 'REAL_QID'), s).toBe('3');
      expect(decodeProperties(half), s).toEqual(decodeProperties(withRealTopicAndQueue(s, 'T1', 3)));
      if (scan.hasRealTopicOrQueue) realSeen++;
      // no producer names a property "...CLUSTER": there the two agree
      const withC = withCluster(s, 'DefaultCluster');
      expect(scan.stored(s, 'DefaultCluster', false), s).toBe(withC);
      const cut = withoutWait(withC);
      expect(scan.stored(s, 'DefaultCluster', true), s).toBe(cut.props);
      expect(scan.waitStoreMsgOK(), s).toBe(cut.wait);
      if (cut.wait !== undefined) dropped++;
    }
    expect(dropped).toBeGreaterThan(500);
    expect(realSeen).toBeGreaterThan(500);
  });

  it('keeps a producer CLUSTER and drops a last WAIT with the separator before it', () => {
    const scan = new SendPropertyScan();
    const s = 'CLUSTER\u0001mine\u0002TAGS\u0001a\u0002WAIT\u0001false';
    scan.scan(s);
    expect(scan.hasCluster).toBe(true);
    expect(scan.stored(s, 'DefaultCluster', true)).toBe('CLUSTER\u0001mine\u0002TAGS\u0001a');
    expect(scan.waitStoreMsgOK()).toBe(false);
    scan.scan('WAIT\u0001true');
    expect(scan.stored('WAIT\u0001true', 'C', true)).toBe('CLUSTER\u0001C');
    scan.scan('');
    expect(scan.stored('', 'C', true)).toBe('CLUSTER\u0001C\u0002');
    expect(scan.tags).toBeUndefined();
  });
});
