/**
 * Expressions RocketMQ 4.9.8 refuses (every one of these throws MQFilterException there) give a
 * SqlFilterError that names where the problem is; and the bounds that keep a hostile expression from
 * stalling or crashing the broker.
 */
import { describe, expect, it } from 'vitest';
import {
  compileSql92,
  DEFAULT_SQL92_MAX_DEPTH,
  DEFAULT_SQL92_MAX_LENGTH,
  type Sql92Limits,
  SqlFilterError,
} from './index.js';

function compileError(expr: string, limits?: Sql92Limits): SqlFilterError {
  try {
    compileSql92(expr, limits);
  } catch (e) {
    if (e instanceof SqlFilterError) return e;
    throw e;
  }
  throw new Error(`compiled: ${JSON.stringify(expr)}`);
}

describe('a bad expression names the position', () => {
  it.each([
    // syntax (JavaCC ParseException)
    ['', 0, 'Encountered <EOF>'],
    ['a >', 3, 'Encountered <EOF>'],
    ['a > 5 AND', 9, 'Encountered <EOF>'],
    ['a == 1', 3, 'Encountered "="'],
    ['a > +', 5, 'Encountered <EOF>'],
    ['(a > 5', 6, 'Was expecting ")"'],
    ['a NOT x', 2, 'Encountered "NOT"'],
    ['a IS 5', 5, 'Was expecting "NOT"'],
    ['a IS NOT 5', 9, 'Was expecting "NULL"'],
    ['a IN ()', 6, 'Was expecting <STRING_LITERAL>'],
    ['a IN (1)', 6, 'Encountered "1"'],
    ["a IN ('1',)", 10, 'Encountered ")"'],
    ['a BETWEEN 1 OR 5', 12, 'Was expecting "AND"'],
    // lexical (JavaCC TokenMgrError)
    ['a != 1', 2, 'unexpected character "!"'],
    ['a = 1 #', 6, 'unexpected character "#"'],
    ['a\u00a0= 1', 1, 'unexpected character'],
    ["a = 'x", 4, 'unterminated string literal'],
    ['a = 1 /* c', 6, 'unterminated comment'],
    ['a = .', 4, 'unexpected character "."'],
    // literals (ConstantExpression)
    ['a > 0.0', 4, 'is less than 4.9E-324'],
    ['a > 1e400', 4, 'is greater than'],
    ['a = 9223372036854775808', 4, 'For input string'],
    // semantic checks made while the tree is built (ComparisonExpression, asBooleanExpression)
    ['1', 0, 'will not result in a boolean value'],
    ["'x'", 0, 'will not result in a boolean value'],
    ['-a', 0, 'will not result in a boolean value'],
    ['a AND 1', 6, 'will not result in a boolean value'],
    ['NOT 5', 4, 'will not result in a boolean value'],
    ['a = NULL', 4, "'NULL' cannot be compared"],
    ['NULL <> a', 0, "'NULL' cannot be compared"],
    ['TRUE = 1', 5, "'TRUE' cannot be compared with '1'"],
    ["a > 'x'", 4, "Value ''x'' cannot be compared"],
    ['a > TRUE', 4, "Value 'TRUE' cannot be compared"],
    ['NOT a > 1', 0, "Value '(NOT a)' cannot be compared"],
    ['a > 1 > 2', 0, 'cannot be compared'],
    ["'a' IN ('a')", 0, 'Expected a property for In expression'],
    ['a BETWEEN 10 AND 1', 10, 'must less than or equal to right value'],
    ['a BETWEEN NULL AND 5', 2, 'values can not be null'],
    ["a BETWEEN 'a' AND 'b'", 10, 'cannot be compared'],
  ] as const)('%j fails at %i: %s', (expr, position, fragment) => {
    const e = compileError(expr);
    expect(e.position).toBe(position);
    expect(e.message).toContain(fragment);
    expect(e.message).toContain(`at line 1, column ${position + 1}`);
    expect(e.name).toBe('SqlFilterError');
  });

  it('counts lines and columns as JavaCC does', () => {
    const e = compileError('a = 1 AND\n  b >');
    expect(e.position).toBe(15);
    expect([e.line, e.column]).toEqual([2, 6]);
    expect(e.message).toMatch(/at line 2, column 6/);
    const crlf = compileError('a = 1\r\nOR\r\n#');
    expect([crlf.line, crlf.column]).toEqual([3, 1]);
  });

  it('refuses what is not a string', () => {
    expect(() => compileSql92(undefined as unknown as string)).toThrow(SqlFilterError);
  });
});

describe('bounds: a hostile expression gets a clean error, never a stack overflow or a stall', () => {
  it('10,000 nested parentheses', () => {
    const expr = `${'('.repeat(10_000)}a = 1${')'.repeat(10_000)}`;
    const e = compileError(expr, { maxLength: 1_000_000 });
    expect(e.message).toContain(`nests deeper than ${DEFAULT_SQL92_MAX_DEPTH} levels`);
    // the parenthesis one level too deep
    expect(e.position).toBe(DEFAULT_SQL92_MAX_DEPTH);
  });

  it('10,000 NOTs, 10,000 minus signs, a long chain of =', () => {
    expect(compileError(`${'NOT '.repeat(10_000)}a`, { maxLength: 1_000_000 }).message).toContain(
      'nests deeper',
    );
    expect(compileError(`${'- '.repeat(10_000)}5 = a`, { maxLength: 1_000_000 }).message).toContain(
      'nests deeper',
    );
    // no recursion in the parser here: the tree grows one level per "= a"
    expect(compileError(`a${' = a'.repeat(500)}`).message).toContain('nests deeper');
  });

  it('the default length bound comes first for long input', () => {
    const e = compileError(`${'('.repeat(100_000)}a`);
    expect(e.message).toContain(`longer than ${DEFAULT_SQL92_MAX_LENGTH} characters`);
    expect(e.position).toBe(DEFAULT_SQL92_MAX_LENGTH);
  });

  it('long AND / OR chains are flat: a thousand terms compile and evaluate', () => {
    const terms = Array.from({ length: 1000 }, (_, i) => `p${i % 10} = ${i % 10}`);
    const all = compileSql92(terms.join(' AND '), { maxLength: 100_000 });
    const props = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`p${i}`, String(i)]));
    expect(all.evaluate(props)).toBe(true);
    expect(all.evaluate({ ...props, p9: '0' })).toBe(false);
    const any = compileSql92(terms.join(' OR '), { maxLength: 100_000 });
    expect(any.evaluate({ p9: '9' })).toBe(true);
    expect(any.evaluateResult({ p9: '0' })).toBe(2);
  });

  it('a large IN list within the bound', () => {
    const tags = Array.from({ length: 600 }, (_, i) => `'T${i}'`).join(',');
    const e = compileSql92(`TAGS IN (${tags})`);
    expect(e.evaluate({ TAGS: 'T599' })).toBe(true);
    expect(e.evaluate({ TAGS: 'T600' })).toBe(false);
  });

  it('the bounds can be set', () => {
    expect(compileError('a = 1', { maxLength: 3 }).position).toBe(3);
    expect(compileSql92('a = 1', { maxLength: 5 }).evaluate({ a: '1' })).toBe(true);
    expect(compileSql92('((a = 1))', { maxDepth: 3 }).evaluate({ a: '1' })).toBe(true);
    expect(compileError('((a = 1))', { maxDepth: 2 }).message).toContain('nests deeper than 2 levels');
  });

  it('trailing input is ignored as RocketMQ does, or refused on request', () => {
    expect(compileSql92('a = 1 )').evaluate({ a: '1' })).toBe(true);
    const e = compileError('a = 1 )', { rejectTrailingInput: true });
    expect(e.position).toBe(6);
    expect(e.message).toContain('Was expecting <EOF>');
    expect(compileSql92('a = 1 ', { rejectTrailingInput: true }).evaluate({ a: '1' })).toBe(true);
  });

  it('random junk never escapes as anything but SqlFilterError', () => {
    const alphabet = [
      "'",
      '(',
      ')',
      'a',
      ' ',
      '=',
      '<',
      '>',
      'NOT ',
      'AND ',
      '-',
      '1',
      '.',
      'e',
      ',',
      'IN ',
      '/*',
    ];
    let seed = 7;
    for (let n = 0; n < 2000; n++) {
      let s = '';
      const len = 1 + (n % 40);
      for (let i = 0; i < len; i++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        s += alphabet[(seed >>> 16) % alphabet.length];
      }
      try {
        compileSql92(s).evaluate({ a: '1' });
      } catch (e) {
        expect(e, s).toBeInstanceOf(SqlFilterError);
      }
    }
  });
});
