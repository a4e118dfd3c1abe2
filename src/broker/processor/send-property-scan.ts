/**
 * What a send needs from the producer's encoded properties (name\u0001value\u0002...), found in one
 * pass over the string instead of a search per property: TAGS for the tags code, WAIT (dropped from
 * the stored string), DELAY, TRAN_MSG, whether CLUSTER is there (and REAL_TOPIC / REAL_QID, for a
 * prepared message), the timer properties, and KEYS and UNIQ_KEY for the index. Ten searches, several
 * of them over a concatenated string V8 first had to flatten, cost ~0.5 us a message; the pass costs a
 * fifth of that.
 *
 * Each value is what getPropertyFromString gives: the first entry of that name, its value up to the
 * next \u0002, an empty value read as absent.
 */
import { MessageConst } from '../../common/message-const.js';
import { forEachEntry } from '../../common/message-properties.js';

const SEPARATOR = 2;
const CLUSTER = 'CLUSTER';
const TIMER_NAMES = new Set<string>([
  MessageConst.PROPERTY_TIMER_DELAY_SEC,
  MessageConst.PROPERTY_TIMER_DELAY_MS,
  MessageConst.PROPERTY_TIMER_DELIVER_MS,
  MessageConst.PROPERTY_STARTDELIVERTIME,
]);

export class SendPropertyScan {
  tags: string | undefined;
  keys: string | undefined;
  uniqKey: string | undefined;
  delay: string | undefined;
  /** TRAN_MSG is "true" (Boolean.parseBoolean is not what the broker checks: it compares the string). */
  tranMsg = false;
  hasCluster = false;
  /** A timer property is present (the timer hook then reads the values). */
  timer = false;
  /** REAL_TOPIC or REAL_QID is present (a prepared message then has them replaced, not appended). */
  hasRealTopicOrQueue = false;
  /** The WAIT entry: where its name starts, the separator after its value (-1: none), its value. */
  waitAt = -1;
  waitEnd = -1;
  wait: string | undefined;
  /** Bit per property above already seen: the first entry of a name wins. */
  private seen = 0;

  scan(s: string): void {
    this.tags = undefined;
    this.keys = undefined;
    this.uniqKey = undefined;
    this.delay = undefined;
    this.tranMsg = false;
    this.hasCluster = false;
    this.timer = false;
    this.hasRealTopicOrQueue = false;
    this.waitAt = -1;
    this.waitEnd = -1;
    this.wait = undefined;
    this.seen = 0;
    forEachEntry(s, (at, nameEnd, end) => this.entry(s, at, nameEnd, end));
  }

  /** One entry: name s[at, nameEnd), value up to `valueEnd` (its separator, or the string's end). */
  private entry(s: string, at: number, nameEnd: number, valueEnd: number): void {
    const len = nameEnd - at;
    switch (len) {
      case 4:
        if (s.startsWith('TAGS', at)) {
          if (this.first(1)) this.tags = value(s, nameEnd, valueEnd);
        } else if (s.startsWith('WAIT', at)) {
          if (this.first(2)) {
            this.waitAt = at;
            this.waitEnd = valueEnd < s.length ? valueEnd : -1;
            this.wait = s.substring(nameEnd + 1, valueEnd);
          }
        } else if (s.startsWith('KEYS', at)) {
          if (this.first(4)) this.keys = value(s, nameEnd, valueEnd);
        }
        break;
      case 5:
        if (s.startsWith('DELAY', at) && this.first(8)) this.delay = value(s, nameEnd, valueEnd);
        break;
      case 7:
        if (s.startsWith(CLUSTER, at)) this.hasCluster = true;
        break;
      case 8:
        if (s.startsWith('TRAN_MSG', at)) {
          if (this.first(16)) this.tranMsg = valueEnd - nameEnd === 5 && s.startsWith('true', nameEnd + 1);
        } else if (s.startsWith('UNIQ_KEY', at)) {
          if (this.first(32)) this.uniqKey = value(s, nameEnd, valueEnd);
        } else if (s.startsWith('REAL_QID', at)) this.hasRealTopicOrQueue = true;
        break;
      case 10:
        if (s.startsWith('REAL_TOPIC', at)) this.hasRealTopicOrQueue = true;
        break;
      default:
        if (len >= 14 && TIMER_NAMES.has(s.substring(at, nameEnd))) this.timer = true;
    }
  }

  private first(bit: number): boolean {
    if (this.seen & bit) return false;
    this.seen |= bit;
    return true;
  }

  /**
   * The string to store: CLUSTER added (MessageAccessor.putProperty) and, with `dropWait`, the WAIT
   * entry taken out when it has a value, as 4.9.8's send path does. The result is the same string as
   * adding CLUSTER at the end and then cutting WAIT's entry and one separator from that.
   */
  stored(s: string, cluster: string, dropWait: boolean): string {
    let suffix = '';
    if (!this.hasCluster) {
      suffix =
        s.length === 0 || s.charCodeAt(s.length - 1) === SEPARATOR
          ? `${CLUSTER}\u0001${cluster}\u0002`
          : `\u0002${CLUSTER}\u0001${cluster}`;
    }
    if (!dropWait || this.waitAt < 0 || this.wait === '') return s + suffix;
    const at = this.waitAt;
    if (this.waitEnd >= 0) return s.slice(0, at) + s.slice(this.waitEnd + 1) + suffix;
    // WAIT was the last entry: the added CLUSTER's separator goes with it, or the one before it
    return suffix === '' ? s.slice(0, Math.max(0, at - 1)) : s.slice(0, at) + suffix.slice(1);
  }

  /** Message.isWaitStoreMsgOK of the WAIT value dropped by stored(), undefined when none was. */
  waitStoreMsgOK(): boolean | undefined {
    const w = this.wait;
    if (this.waitAt < 0 || w === undefined || w === '') return undefined;
    return w.length === 4 && w.toLowerCase() === 'true';
  }
}

function value(s: string, nameEnd: number, valueEnd: number): string | undefined {
  return valueEnd > nameEnd + 1 ? s.substring(nameEnd + 1, valueEnd) : undefined;
}
