import { describe, expect, it } from 'vitest';
import { decodeJsonHeader } from './json-header.js';
import {
  decodeEndTransactionRequestHeader,
  PreDecodedEndTransactionCommand,
} from './protocol/header/end-transaction-request-header.js';
import {
  decodePullMessageRequestHeader,
  PreDecodedPullCommand,
} from './protocol/header/pull-message-request-header.js';
import { readSendHeaderJson } from './protocol/header/send-message-header-json.js';
import {
  decodeSendMessageRequestHeaderV2,
  PreDecodedSendCommand,
} from './protocol/header/send-message-request-header.js';
import { RemotingCommand } from './remoting-command.js';

/** A SEND_MESSAGE_V2 header as fastjson writes it: outer fields sorted, extFields a..m. */
function javaHeader(ext: Record<string, string>, opaque = 7, code = 310): string {
  return `{"code":${code},"extFields":${JSON.stringify(ext)},"flag":0,"language":"JAVA","opaque":${opaque},"serializeTypeCurrentRPC":"JSON","version":409}`;
}

const EXT: Record<string, string> = {
  a: 'please_rename_unique_group_name',
  b: 'TopicTest',
  c: 'TBW102',
  d: '4',
  e: '3',
  f: '0',
  g: '1764115200123',
  h: '0',
  i: 'UNIQ_KEY\u00017F000001C2E418B4AAC2480B2A5F0000\u0002WAIT\u0001true\u0002TAGS\u0001TagA\u0002',
  j: '0',
  k: 'false',
  l: '16',
  m: 'false',
};

/** The typed header the fast path left on a command, undefined when it took the general way. */
function fastHeader(cmd: RemotingCommand): unknown {
  if (cmd instanceof PreDecodedSendCommand) return cmd.sendHeader;
  if (cmd instanceof PreDecodedEndTransactionCommand) return cmd.endTransactionHeader;
  if (cmd instanceof PreDecodedPullCommand) return cmd.pullHeader;
  return undefined;
}

/** What the general path (JSON.parse, then the processor's decoding) makes of the same bytes. */
function general(text: string): { cmd: RemotingCommand; header: unknown } {
  const buf = Buffer.from(text, 'utf8');
  // a copy with a leading space defeats the fast path's `{"code":` check, and JSON ignores the space
  const spaced = Buffer.concat([Buffer.from(' '), buf]);
  const cmd = decodeJsonHeader(spaced, 0, spaced.length);
  expect(fastHeader(cmd)).toBeUndefined();
  let header: unknown;
  try {
    header =
      cmd.code === 37
        ? decodeEndTransactionRequestHeader(cmd.extFields)
        : cmd.code === 11
          ? decodePullMessageRequestHeader(cmd.extFields)
          : decodeSendMessageRequestHeaderV2(cmd.extFields);
  } catch (err) {
    header = (err as Error).message;
  }
  return { cmd, header };
}

function fields(cmd: RemotingCommand): unknown {
  return {
    code: cmd.code,
    language: cmd.language,
    version: cmd.version,
    opaque: cmd.opaque,
    flag: cmd.flag,
    remark: cmd.remark,
    extFields: { ...cmd.extFields },
    serializeType: cmd.serializeType,
  };
}

/** Decodes `text` the fast way, checks it agrees with the general way; whether the fast path took it. */
function agrees(text: string): boolean {
  const buf = Buffer.from(`xx${text}yy`, 'utf8');
  const cmd = decodeJsonHeader(buf, 2, buf.length - 2);
  const slow = general(text);
  expect(fields(cmd)).toEqual(fields(slow.cmd));
  const header = fastHeader(cmd);
  if (header === undefined) return false;
  expect(header).toEqual(slow.header);
  return true;
}

describe('SEND_MESSAGE_V2 header read from its JSON bytes', () => {
  it('reads a Java client header into the same command and typed header as JSON.parse does', () => {
    expect(agrees(javaHeader(EXT))).toBe(true);
    expect(agrees(javaHeader({ ...EXT, m: 'TRUE', k: 'True', n: 'broker-a' }, 2147483647, 320))).toBe(true);
    expect(agrees(javaHeader({ ...EXT, e: '-1', g: '-5', j: '007' }, -3))).toBe(true);
  });

  it('reads every JSON escape of an ASCII character in a value', () => {
    const i = 'q"b\\s/\b\f\n\r\t\u0000\u007f end';
    const text = javaHeader({ ...EXT, i, a: 'g\\"' }).replace('\\/', '/');
    expect(agrees(text)).toBe(true);
    expect(agrees(javaHeader(EXT).replace('TagA', '\\u0054ag\\u0041'))).toBe(true);
    expect(agrees(javaHeader(EXT).replace('"TopicTest"', '"Topic\\/Test"'))).toBe(true);
  });

  it('accepts the whitespace JSON allows, outer fields in any order, remark and optional fields absent', () => {
    const spaced = javaHeader(EXT);
    expect(
      agrees(
        spaced.slice(0, 12) +
          spaced
            .slice(12)
            .replace(/([,:{}])/g, '$1 \n\t')
            .replace('"opaque": \n\t', '"opaque":   '),
      ),
    ).toBe(true);
    const { j, l, a, ...rest } = EXT;
    void j;
    void l;
    void a;
    expect(
      agrees(
        `{"code":310,"opaque":9,"remark":"r\\u0041","extFields":${JSON.stringify(rest)},"version":1,"language":"GO"}`,
      ),
    ).toBe(true);
  });

  it('keeps the general path for everything outside the plain shape, with the same result', () => {
    const odd = [
      javaHeader({ ...EXT, i: 'TAGS\u0001标签\u0002' }),
      javaHeader(EXT).replace('TagA', '\\u00e9'),
      javaHeader({ ...EXT, x: 'unknown key' }),
      javaHeader(EXT).replace('"d":"4"', '"d":4'),
      javaHeader(EXT).replace('"d":"4"', '"d":"+4"'),
      javaHeader(EXT).replace('"g":"1764115200123"', '"g":"12345678901234567"'),
      javaHeader(EXT).replace('"language":"JAVA"', '"language":0'),
      javaHeader(EXT).replace('"opaque":7', '"opaque":7e0'),
      javaHeader(EXT).replace('"flag":0', '"flag":"0"'),
      javaHeader(EXT).replace(',"version":409', ',"remark":null,"version":409'),
      javaHeader(EXT).replace('"code":310', '"co\\u0064e":310'),
      `{"code":310,"extFields":{},"opaque":1}`,
      `{"code":310,"opaque":1}`,
      `{"code":310,"extFields":${JSON.stringify({ ...EXT, code: 'x' })},"opaque":1}`,
    ];
    for (const text of odd) expect(agrees(text), text).toBe(false);
    // a missing required field: both ways fail the same, the general way names it
    const { c, ...noDefaultTopic } = EXT;
    void c;
    expect(agrees(javaHeader(noDefaultTopic))).toBe(false);
    expect(general(javaHeader(noDefaultTopic)).header).toBe('the custom field <c> is null');
    const { b, ...noTopic } = EXT;
    void b;
    expect(agrees(javaHeader(noTopic))).toBe(false);
  });

  it('refuses malformed JSON without reading past the header, and the general path reports it', () => {
    const good = javaHeader(EXT);
    for (let cut = 1; cut < good.length; cut += 7) {
      const text = good.slice(0, cut);
      const buf = Buffer.from(`${text}}}}}`, 'latin1');
      expect(readSendHeaderJson(buf, 0, text.length, 310)).toBeUndefined();
      expect(() => decodeJsonHeader(buf, 0, text.length)).toThrow(/bad JSON header/);
    }
    for (const bad of [
      `${good}x`,
      good.replace('"a":', '"a" '),
      good.replace('\\u0001', '\\u00zz'),
      good.replace('"k":"false"', '"k":"fa\\qse"'),
    ]) {
      const buf = Buffer.from(bad, 'latin1');
      expect(readSendHeaderJson(buf, 0, buf.length, 310), bad).toBeUndefined();
    }
  });

  it('reuses the previous string for a repeated topic and producer group, and still sees a new one', () => {
    const first = decodeJsonHeader(
      Buffer.from(javaHeader(EXT)),
      0,
      javaHeader(EXT).length,
    ) as PreDecodedSendCommand;
    const again = decodeJsonHeader(
      Buffer.from(javaHeader(EXT)),
      0,
      javaHeader(EXT).length,
    ) as PreDecodedSendCommand;
    expect(again.sendHeader.topic).toBe(first.sendHeader.topic);
    for (const topic of ['TopicTesu', 'TopicTest2', 'T', 'TopicTest']) {
      const text = javaHeader({ ...EXT, b: topic });
      const cmd = decodeJsonHeader(Buffer.from(text), 0, text.length) as PreDecodedSendCommand;
      expect(cmd.sendHeader.topic).toBe(topic);
    }
  });

  it('parses extFields only when asked, and a set replaces them', () => {
    const text = javaHeader(EXT);
    const cmd = decodeJsonHeader(Buffer.from(text), 0, text.length);
    expect(cmd).toBeInstanceOf(PreDecodedSendCommand);
    expect(cmd.extFields).toEqual(EXT);
    expect(cmd.extFields).toBe(cmd.extFields);
    cmd.extFields = { x: '1' };
    expect(cmd.extFields).toEqual({ x: '1' });
    expect(new RemotingCommand(1).extFields).toEqual({});
  });
});

/** An END_TRANSACTION header as fastjson writes it (extFields in HashMap order). */
function endHeader(ext: Record<string, string>): string {
  return `{"code":37,"extFields":${JSON.stringify(ext)},"flag":2,"language":"JAVA","opaque":11,"serializeTypeCurrentRPC":"JSON","version":409}`;
}

const END_EXT: Record<string, string> = {
  commitLogOffset: '1099511627776',
  msgId: '7F000001C2E418B4AAC2480B2A5F0000',
  tranStateTableOffset: '42',
  commitOrRollback: '8',
  fromTransactionCheck: 'false',
  producerGroup: 'tx_group',
  transactionId: '7F000001C2E418B4AAC2480B2A5F0000',
};

describe('END_TRANSACTION header read from its JSON bytes', () => {
  it('reads what the Java client sends into the same typed header as the general decoding', () => {
    expect(agrees(endHeader(END_EXT))).toBe(true);
    const { transactionId, fromTransactionCheck, ...bare } = END_EXT;
    void transactionId;
    void fromTransactionCheck;
    expect(agrees(endHeader(bare))).toBe(true);
    expect(agrees(endHeader({ ...END_EXT, commitOrRollback: '12', fromTransactionCheck: 'TRUE' }))).toBe(
      true,
    );
    expect(agrees(endHeader({ ...END_EXT, commitOrRollback: '-999999999', producerGroup: 'g\\"q' }))).toBe(
      true,
    );
  });

  it('keeps the general path outside the plain shape, with the same result or error', () => {
    for (const ext of [
      { ...END_EXT, commitOrRollback: '2147483647' },
      { ...END_EXT, commitOrRollback: '+8' },
      { ...END_EXT, commitLogOffset: '9223372036854775807' },
      { ...END_EXT, other: 'x' },
      { ...END_EXT, msgId: 'é' },
    ]) {
      expect(agrees(endHeader(ext)), JSON.stringify(ext)).toBe(false);
    }
    const { msgId, ...noMsgId } = END_EXT;
    void msgId;
    expect(agrees(endHeader(noMsgId))).toBe(false);
    expect(general(endHeader(noMsgId)).header).toBe('the custom field <msgId> is null');
    expect(agrees(endHeader({ ...END_EXT, commitOrRollback: 'x' }))).toBe(false);
    expect(general(endHeader({ ...END_EXT, commitOrRollback: 'x' })).header).toMatch(/not an int/);
  });
});

/** A PULL_MESSAGE header as fastjson writes it. */
function pullHeader(ext: Record<string, string>): string {
  return `{"code":11,"extFields":${JSON.stringify(ext)},"flag":0,"language":"JAVA","opaque":5,"serializeTypeCurrentRPC":"JSON","version":409}`;
}

const PULL_EXT: Record<string, string> = {
  queueOffset: '1099511627776',
  subVersion: '1764115200123',
  maxMsgNums: '32',
  sysFlag: '3',
  commitOffset: '96',
  consumerGroup: 'cg',
  topic: 'TopicTest',
  queueId: '7',
  suspendTimeoutMillis: '15000',
  subscription: 'TagA || TagB',
  expressionType: 'TAG',
};

describe('PULL_MESSAGE header read from its JSON bytes', () => {
  it('reads what the Java client sends into the same typed header as the general decoding', () => {
    expect(agrees(pullHeader(PULL_EXT))).toBe(true);
    const { subscription, expressionType, ...bare } = PULL_EXT;
    void subscription;
    void expressionType;
    expect(agrees(pullHeader(bare))).toBe(true);
    expect(
      agrees(pullHeader({ ...PULL_EXT, subscription: "a > 5 AND b = 'x\"y'", expressionType: 'SQL92' })),
    ).toBe(true);
    expect(agrees(pullHeader({ ...PULL_EXT, queueId: '-2147483648', sysFlag: '2147483647' }))).toBe(true);
    // the same group and topic again: the strings come from the slots, still right when they change
    for (const topic of ['TopicTest', 'TopicTesu', 'T']) {
      const text = pullHeader({ ...PULL_EXT, topic });
      const cmd = decodeJsonHeader(Buffer.from(text), 0, text.length) as PreDecodedPullCommand;
      expect(cmd.pullHeader.topic).toBe(topic);
    }
  });

  it('keeps the general path for a missing field, an odd value or another key, with the same result or error', () => {
    for (const ext of [
      { ...PULL_EXT, queueId: '2147483648' },
      { ...PULL_EXT, maxMsgNums: '+32' },
      { ...PULL_EXT, queueOffset: '9223372036854775807' },
      { ...PULL_EXT, bname: 'broker-a' },
      { ...PULL_EXT, topic: 'é' },
    ]) {
      expect(agrees(pullHeader(ext)), JSON.stringify(ext)).toBe(false);
    }
    // 4.9.8 lets these three be absent until a flag needs them: the processor's lax decoding decides
    for (const field of ['commitOffset', 'suspendTimeoutMillis', 'subVersion', 'topic']) {
      const ext = { ...PULL_EXT };
      delete ext[field];
      expect(agrees(pullHeader(ext)), field).toBe(false);
    }
    expect(general(pullHeader({ ...PULL_EXT, maxMsgNums: 'x' })).header).toMatch(/not an int/);
  });
});

describe('the outer object read as literals (the canonical layout), and every other layout', () => {
  it('agrees with the general way on random outer layouts, and takes the canonical one itself', () => {
    let seed = 11;
    const rnd = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      // the high bits: an LCG's low bits repeat with a short period
      return Math.floor(seed / 65536) % n;
    };
    const outerKeys = [
      'code',
      'extFields',
      'flag',
      'language',
      'opaque',
      'serializeTypeCurrentRPC',
      'version',
    ];
    let canonicalTaken = 0;
    for (let i = 0; i < 600; i++) {
      const [code, ext] = rnd(2) === 0 ? [37, END_EXT] : [11, PULL_EXT];
      const outer: Record<string, unknown> = {
        code,
        extFields: ext,
        flag: [0, 1, 2, 2147483647][rnd(4)],
        language: ['JAVA', 'JAVA', 'CPP', 'GO', 'J"V'][rnd(5)],
        opaque: [0, 7, -1, 2147483647, -2147483648][rnd(5)],
        serializeTypeCurrentRPC: rnd(8) === 0 ? 'ROCKETMQ' : 'JSON',
        version: [0, 409, 433][rnd(3)],
      };
      const keys = [...outerKeys];
      if (rnd(4) === 0) keys.push('remark');
      outer.remark = 'a remark';
      if (rnd(4) === 0) keys.splice(rnd(keys.length), 1);
      if (rnd(3) === 0) keys.sort(() => rnd(3) - 1);
      let text = JSON.stringify(Object.fromEntries(keys.map((k) => [k, outer[k]])));
      const canonical = keys.join() === outerKeys.join() && outer.serializeTypeCurrentRPC === 'JSON';
      let spaced = false;
      if (rnd(3) === 0) {
        // whitespace after a separator outside strings (JSON allows it; only some of it is canonical)
        const seps = [...text.matchAll(/[,:{}](?=["{\d-])/g)].map((m) => m.index!);
        const at = seps[rnd(seps.length)]! + 1;
        text = `${text.slice(0, at)}${[' ', '\n', '\t '][rnd(3)]}${text.slice(at)}`;
        spaced = true;
      }
      const taken = agrees(text);
      if (canonical && !spaced) {
        expect(taken, text).toBe(true);
        canonicalTaken++;
      }
    }
    expect(canonicalTaken).toBeGreaterThan(20);
  });
});
