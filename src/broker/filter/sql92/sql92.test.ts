/**
 * Table-driven behaviour of the SQL92 filter, one row per rule of RocketMQ 4.9.8's filter module.
 * Each expectation was confirmed against rocketmq-4.9.8.jar (the golden test holds the bulk corpus;
 * these rows name the rule they pin down). T = Boolean.TRUE, F = FALSE, N = null, E = Java throws.
 */
import { describe, expect, it } from 'vitest';
import { compileSql92, type MessageProperties, Sql92Result } from './index.js';

const LETTER = ['F', 'T', 'N', 'E'] as const;

function result(expr: string, props: MessageProperties): string {
  return LETTER[compileSql92(expr).evaluateResult(props)]!;
}

type Row = readonly [expr: string, props: MessageProperties, expected: 'T' | 'F' | 'N' | 'E'];

function table(rows: readonly Row[]): void {
  it.each(rows)('%s with %o is %s', (expr, props, expected) => {
    expect(result(expr, props)).toBe(expected);
  });
}

describe('comparison operators against an Integer literal (property read with Integer.valueOf)', () => {
  table([
    ['a > 5', { a: '6' }, 'T'],
    ['a > 5', { a: '5' }, 'F'],
    ['a >= 5', { a: '5' }, 'T'],
    ['a < 5', { a: '4' }, 'T'],
    ['a <= 5', { a: '5' }, 'T'],
    ['a <= 5', { a: '6' }, 'F'],
    ['a = 5', { a: '5' }, 'T'],
    ['a = 5', { a: '+5' }, 'T'],
    ['a = 5', { a: '05' }, 'T'],
    ['a <> 5', { a: '5' }, 'F'],
    ['a <> 5', { a: '6' }, 'T'],
    ['a > -5', { a: '-4' }, 'T'],
    ['a = -2147483648', { a: '-2147483648' }, 'T'],
    // Integer.valueOf does not trim, does not take decimals, overflows past 32 bits: Java throws
    ['a > 5', { a: ' 6' }, 'E'],
    ['a > 5', { a: '6.0' }, 'E'],
    ['a > 5', { a: 'abc' }, 'E'],
    ['a > 5', { a: '' }, 'E'],
    ['a > 5', { a: '2147483648' }, 'E'],
    // Character.digit accepts any Unicode decimal digit
    ['a = 3', { a: '\u0663' }, 'T'],
    ['a = 5', { a: '\uff15' }, 'T'],
  ]);
});

describe('Long and Double literals', () => {
  table([
    ['a = 3000000000', { a: '3000000000' }, 'T'],
    ['a > 2147483647', { a: '2147483647' }, 'F'],
    ['a > 2147483648', { a: '2147483649' }, 'T'],
    // the literal is an Integer, so the property must fit 32 bits
    ['a > 2147483647', { a: '2147483648' }, 'E'],
    ['a < 9223372036854775807', { a: '9223372036854775806' }, 'T'],
    ['a = 9223372036854775807', { a: '9223372036854775807' }, 'T'],
    ['a > 3000000000', { a: '9223372036854775808' }, 'E'],
    ['a = 1L', { a: '1' }, 'T'],
    ['a = 5.5', { a: '5.5' }, 'T'],
    ['a = 1e2', { a: '100' }, 'T'],
    // Double.valueOf trims, takes a d/f suffix, NaN, Infinity and hexadecimal floats
    ['a = 1e2', { a: ' 100 ' }, 'T'],
    ['a = 1.5', { a: '1.5d' }, 'T'],
    ['a = 8.0', { a: '0x1p3' }, 'T'],
    ['a > 1.5', { a: 'NaN' }, 'T'],
    ['a > 1.5', { a: 'Infinity' }, 'T'],
    ['a > 1.5', { a: '1,5' }, 'E'],
    // Integer meets Double: both as double
    ['1 = 1.0', {}, 'T'],
    ['a BETWEEN 1 AND 10.5', { a: '10' }, 'T'],
    ['a BETWEEN 1 AND 10.5', { a: '10.5' }, 'E'],
  ]);
});

describe('strings, booleans and two properties', () => {
  table([
    ["b = 'abc'", { b: 'abc' }, 'T'],
    ["b = 'abc'", { b: 'ABC' }, 'F'],
    ["b <> 'abc'", { b: 'x' }, 'T'],
    ["b = 'it''s'", { b: "it's" }, 'T'],
    ["b = ''", { b: '' }, 'T'],
    ["'abc' = b", { b: 'abc' }, 'T'],
    // a string literal meeting a number converts the string
    ["'1' = 1", {}, 'T'],
    ["'abc' = 1", {}, 'E'],
    // property = TRUE/FALSE reads the property with Boolean.valueOf
    ['x = TRUE', { x: 'true' }, 'T'],
    ['x = TRUE', { x: 'TRUE' }, 'T'],
    ['x = TRUE', { x: 'yes' }, 'F'],
    ['x = FALSE', { x: 'anything' }, 'T'],
    // a Boolean on the left meeting a String is a ClassCastException in Java
    ['TRUE = x', { x: 'true' }, 'E'],
    ['1 = TRUE', {}, 'F'],
    // two properties: String.equals / compareTo for =, Double.valueOf of both for ordering
    ['a = b', { a: '1', b: '1' }, 'T'],
    ['a = b', { a: '1', b: '1.0' }, 'F'],
    ['a < b', { a: '1', b: '1.5' }, 'T'],
    ['a < b', { a: 'x', b: '1' }, 'E'],
    ['a = b', {}, 'T'],
    ['a <> b', {}, 'F'],
  ]);
});

describe('absent properties: null, and how null flows through the operators', () => {
  table([
    ['a > 5', {}, 'N'],
    ['a = 5', {}, 'N'],
    ['a <> 5', {}, 'N'],
    // a non-null left and a null right is FALSE for =, not null
    ['5 = a', {}, 'F'],
    ['5 <> a', {}, 'T'],
    ['5 < a', {}, 'N'],
    ["a IN ('1')", {}, 'N'],
    ["a NOT IN ('1')", {}, 'N'],
    ['a BETWEEN 1 AND 5', {}, 'N'],
    ['a NOT BETWEEN 1 AND 5', {}, 'N'],
    ['a IS NULL', {}, 'T'],
    ['a IS NULL', { a: '' }, 'F'],
    ['a IS NOT NULL', { a: 'x' }, 'T'],
    ['a IS NOT NULL', {}, 'F'],
    ['NOT (a > 5) IS NULL', {}, 'T'],
    // a bare property is a boolean cast: null when absent, FALSE for any string
    ['a', {}, 'N'],
    ['a', { a: 'true' }, 'F'],
    ['NOT a', { a: 'x' }, 'T'],
    ['NULL', {}, 'N'],
    ['NOT NULL', {}, 'N'],
    // Kleene logic
    ['a > 5 AND b > 5', { b: '1' }, 'F'],
    ['a > 5 AND b > 5', { b: '9' }, 'N'],
    ['a > 5 OR b > 5', { b: '9' }, 'T'],
    ['a > 5 OR b > 5', { b: '1' }, 'N'],
    ['TRUE AND NULL', {}, 'N'],
    ['FALSE OR NULL', {}, 'N'],
    // negating a property gives null (its value is a String, not a Number)
    ['-a = -5', { a: '5' }, 'N'],
    ['a > -b', { a: '1', b: '2' }, 'N'],
  ]);
});

describe('an error anywhere fails the whole evaluation (Java throws out of evaluate)', () => {
  table([
    ['a > 5 OR b = 1', { a: 'x', b: '1' }, 'E'],
    ['b = 1 OR a > 5', { a: 'x', b: '1' }, 'T'],
    ['a > 5 AND b = 1', { a: 'x', b: '2' }, 'E'],
    ['b = 1 AND a > 5', { a: 'x', b: '2' }, 'F'],
    ['NOT (a > 5) = TRUE', { a: 'x' }, 'E'],
    ['a BETWEEN 1 AND 5', { a: 'x' }, 'E'],
    // BETWEEN is >= AND <=: the second half is never read once the first is false
    ['a BETWEEN 10 AND 10.5', { a: '5' }, 'F'],
  ]);
});

describe('IN, BETWEEN', () => {
  table([
    ["TAGS IN ('TagA', 'TagB')", { TAGS: 'TagB' }, 'T'],
    ["TAGS IN ('TagA', 'TagB')", { TAGS: 'TagC' }, 'F'],
    ["TAGS NOT IN ('TagA', 'TagB')", { TAGS: 'TagC' }, 'T'],
    ["a IN ('1', '2', '3', '4', '5', '6')", { a: '6' }, 'T'],
    ["a IN ('1')", { a: '1.0' }, 'F'],
    ["(a) IN ('1')", { a: '1' }, 'T'],
    ['a BETWEEN 1 AND 10', { a: '1' }, 'T'],
    ['a BETWEEN 1 AND 10', { a: '10' }, 'T'],
    ['a BETWEEN 1 AND 10', { a: '11' }, 'F'],
    ['a NOT BETWEEN 1 AND 10', { a: '11' }, 'T'],
    ['a NOT BETWEEN 1 AND 10', { a: '0' }, 'T'],
    ['a NOT BETWEEN 1 AND 10', { a: '5' }, 'F'],
    ['a BETWEEN -10 AND -1', { a: '-5' }, 'T'],
    // negated bounds are not literals: the order check does not see them
    ['a BETWEEN -1 AND -10', { a: '-5' }, 'F'],
    ['a NOT BETWEEN 10 AND 1', { a: '5' }, 'T'],
    ['a BETWEEN 1.5 AND 2.5', { a: '2' }, 'T'],
    ['a BETWEEN 1.5 AND 2.5', { a: '2x' }, 'E'],
    // the low bound is an Integer: a value past 32 bits fails the first half
    ['a BETWEEN 1 AND 3000000000', { a: '2999999999' }, 'E'],
    ['a BETWEEN 1 AND 3000000000', { a: '2999' }, 'T'],
    ['a BETWEEN b AND c', { a: '2', b: '1', c: '3' }, 'T'],
  ]);
});

describe('precedence and associativity', () => {
  table([
    // OR below AND
    ["a > 5 AND b = 'abc' OR c BETWEEN 1 AND 10", { c: '5' }, 'T'],
    ["a > 5 AND b = 'abc' OR c BETWEEN 1 AND 10", { a: '6', b: 'abc', c: '50' }, 'T'],
    ["a > 5 AND b = 'abc' OR c BETWEEN 1 AND 10", { a: '6', b: 'x', c: '50' }, 'F'],
    ['TRUE OR FALSE AND FALSE', {}, 'T'],
    ['(TRUE OR FALSE) AND FALSE', {}, 'F'],
    // NOT binds tighter than comparisons: NOT a = 1 is (NOT a) = 1, a Boolean against an Integer
    ['NOT a = 1', { a: '1' }, 'F'],
    ['NOT (a = 1)', { a: '2' }, 'T'],
    // = and IS chain left to right; comparisons bind tighter than =
    ['a > 5 = TRUE', { a: '6' }, 'T'],
    ['a = 5 = FALSE', { a: '6' }, 'T'],
    ['(a > 5) = (b > 5)', { a: '1', b: '2' }, 'T'],
    ['a = 5 IS NULL', {}, 'T'],
    ['- - 5 = a', { a: '5' }, 'T'],
    ['+a > 5', { a: '6' }, 'T'],
  ]);
});

describe('lexical details', () => {
  table([
    ['A = 5', { A: '5', a: '6' }, 'T'],
    ['$a_1 = 5', { $a_1: '5' }, 'T'],
    ['a > 5 and b = 1 Or c = 2', { c: '2' }, 'T'],
    ['a\t=\n5', { a: '5' }, 'T'],
    ['a /* comment */ = 5', { a: '5' }, 'T'],
    ['a = 5 -- comment\nOR b = 1', { b: '1' }, 'T'],
    // a -- comment needs a line break to end it; without one the parser stops at "-"
    ['a = 5 -- comment', { a: '5' }, 'T'],
    ['a = .5', { a: '0.5' }, 'T'],
    ['a = 5.', { a: '5' }, 'T'],
    // "007" is three tokens and "0L" two: RocketMQ reads up to the expression's end and stops
    ['a = 007', { a: '0' }, 'T'],
    ['a = 0L', { a: '0' }, 'T'],
    ['a = 1 )', { a: '1' }, 'T'],
    ['a = 1 b', { a: '1' }, 'T'],
    ["a 'it''s''x", {}, 'N'],
    // LIKE is not in 4.9.8's grammar (CONTAINS, STARTSWITH came with 5.x): the parse stops at the
    // unknown word, what is left is a bare property, so such a subscription silently matches nothing
    ["a LIKE 'abc'", { a: 'abc' }, 'F'],
    ["a STARTSWITH 'a' OR b = 1", { a: 'abc', b: '1' }, 'F'],
    ["b = 1 AND a CONTAINS 'b'", { a: 'abc', b: '1' }, 'F'],
  ]);
});

describe('what evaluate() accepts', () => {
  const e = compileSql92("a = '1' OR a IS NULL");

  it('treats names inherited from Object.prototype as absent', () => {
    const inherited = compileSql92("constructor = 'x' OR toString IS NOT NULL OR __proto__ IS NOT NULL");
    expect(inherited.evaluateResult({})).toBe(Sql92Result.NULL);
    expect(compileSql92('constructor IS NULL').evaluate({})).toBe(true);
    expect(compileSql92("constructor = 'x'").evaluate({ constructor: 'x' })).toBe(true);
  });

  it('takes prototype-less maps and no map at all (all properties null)', () => {
    const m = Object.assign(Object.create(null), { a: '1' }) as MessageProperties;
    expect(e.evaluate(m)).toBe(true);
    expect(e.evaluate(null)).toBe(true);
    expect(e.evaluate(undefined)).toBe(true);
    expect(compileSql92('a > 1').evaluateResult(null)).toBe(Sql92Result.NULL);
  });

  it('keeps the source and is reusable across many maps', () => {
    expect(e.source).toBe("a = '1' OR a IS NULL");
    let n = 0;
    for (let i = 0; i < 1000; i++) if (e.evaluate({ a: String(i % 3) })) n++;
    expect(n).toBe(333);
  });

  it('evaluate is true only for TRUE, never for null or an error', () => {
    expect(compileSql92('a > 5').evaluate({ a: '6' })).toBe(true);
    expect(compileSql92('a > 5').evaluate({})).toBe(false);
    expect(compileSql92('a > 5').evaluate({ a: 'x' })).toBe(false);
    expect(compileSql92('NOT (a > 5)').evaluate({ a: 'x' })).toBe(false);
  });
});
