import { describe, expect, it } from 'vitest';
import {
  optionalBool,
  optionalInt,
  optionalLong,
  optionalString,
  RemotingCommandError,
  requireBool,
  requireInt,
  requireLong,
  requireString,
} from './custom-header.js';

const ext = {
  topic: 'T',
  queueId: '3',
  neg: '-7',
  plus: '+5',
  offset: '9007199254740991',
  max: '9223372036854775807',
  min: '-9223372036854775808',
  t: 'TRUE',
  f: 'no',
  junk: '12abc',
  big: '2147483648',
  empty: '',
};

describe('custom header readers', () => {
  it('missing required fields fail as RocketMQ words it', () => {
    expect(() => requireString(ext, 'queueOffset')).toThrow(
      new RemotingCommandError('the custom field <queueOffset> is null'),
    );
    expect(() => requireInt(ext, 'x')).toThrow(RemotingCommandError);
    expect(() => requireLong(ext, 'x')).toThrow(RemotingCommandError);
    expect(() => requireBool(ext, 'x')).toThrow(RemotingCommandError);
    // inherited names are not fields
    expect(() => requireString(ext, 'toString')).toThrow(RemotingCommandError);
  });

  it('strings', () => {
    expect(requireString(ext, 'topic')).toBe('T');
    expect(requireString(ext, 'empty')).toBe('');
    expect(optionalString(ext, 'nope')).toBeUndefined();
  });

  it('ints as Integer.parseInt', () => {
    expect(requireInt(ext, 'queueId')).toBe(3);
    expect(requireInt(ext, 'neg')).toBe(-7);
    expect(requireInt(ext, 'plus')).toBe(5);
    expect(() => requireInt(ext, 'junk')).toThrow(/<junk> is not an int/);
    expect(() => requireInt(ext, 'big')).toThrow(RemotingCommandError);
    expect(() => requireInt(ext, 'empty')).toThrow(RemotingCommandError);
    expect(optionalInt(ext, 'nope')).toBeUndefined();
    expect(optionalInt(ext, 'nope', 8)).toBe(8);
    expect(optionalInt(ext, 'queueId', 8)).toBe(3);
  });

  it('longs as Long.parseLong, returned as numbers', () => {
    expect(requireLong(ext, 'offset')).toBe(9007199254740991);
    expect(requireLong(ext, 'big')).toBe(2147483648);
    expect(requireLong(ext, 'max')).toBe(2 ** 63);
    expect(requireLong(ext, 'min')).toBe(-(2 ** 63));
    expect(() => requireLong({ v: '9223372036854775808' }, 'v')).toThrow(RemotingCommandError);
    expect(() => requireLong(ext, 'junk')).toThrow(/<junk> is not a long/);
    expect(optionalLong(ext, 'nope', -1)).toBe(-1);
  });

  it('booleans as Boolean.parseBoolean: never an error', () => {
    expect(requireBool(ext, 't')).toBe(true);
    expect(requireBool(ext, 'f')).toBe(false);
    expect(requireBool(ext, 'junk')).toBe(false);
    expect(optionalBool(ext, 'nope')).toBeUndefined();
    expect(optionalBool(ext, 'nope', true)).toBe(true);
  });
});
