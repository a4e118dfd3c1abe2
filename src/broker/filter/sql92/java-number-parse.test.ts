/**
 * The conversions ComparisonExpression applies to property values, against what Java 17 answers for
 * Integer.valueOf, Long.valueOf, Double.valueOf and Boolean.valueOf on the same strings (the table
 * was produced by running those methods; undefined = NumberFormatException).
 */
import { describe, expect, it } from 'vitest';
import {
  compareJavaDouble,
  parseJavaBoolean,
  parseJavaDouble,
  parseJavaInt,
  parseJavaLong,
} from './java-number-parse.js';

type Row = readonly [
  s: string,
  int: number | undefined,
  long: number | bigint | undefined,
  double: number | undefined,
  bool: boolean,
];

// biome-ignore format: one Java answer per line
const JAVA: readonly Row[] = [
  ["", undefined, undefined, undefined, false],
  [" ", undefined, undefined, undefined, false],
  ["0", 0, 0, 0, false],
  ["-0", 0, 0, -0, false],
  ["+0", 0, 0, 0, false],
  ["1", 1, 1, 1, false],
  ["+1", 1, 1, 1, false],
  ["-1", -1, -1, -1, false],
  ["+", undefined, undefined, undefined, false],
  ["-", undefined, undefined, undefined, false],
  ["--1", undefined, undefined, undefined, false],
  ["+-1", undefined, undefined, undefined, false],
  ["1-", undefined, undefined, undefined, false],
  ["01", 1, 1, 1, false],
  ["007", 7, 7, 7, false],
  ["2147483647", 2147483647, 2147483647, 2147483647, false],
  ["2147483648", undefined, 2147483648, 2147483648, false],
  ["-2147483648", -2147483648, -2147483648, -2147483648, false],
  ["-2147483649", undefined, -2147483649, -2147483649, false],
  ["9223372036854775807", undefined, 9223372036854775807n, 9223372036854776000, false],
  ["9223372036854775808", undefined, undefined, 9223372036854776000, false],
  ["-9223372036854775808", undefined, -9223372036854775808n, -9223372036854776000, false],
  ["-9223372036854775809", undefined, undefined, -9223372036854776000, false],
  ["00000000000000000000000001", 1, 1, 1, false],
  ["99999999999999999999", undefined, undefined, 100000000000000000000, false],
  ["9007199254740993", undefined, 9007199254740993n, 9007199254740992, false],
  ["-9007199254740993", undefined, -9007199254740993n, -9007199254740992, false],
  ["12345678901234567", undefined, 12345678901234567n, 12345678901234568, false],
  [" 1", undefined, undefined, 1, false],
  ["1 ", undefined, undefined, 1, false],
  ["1.0", undefined, undefined, 1, false],
  ["1e3", undefined, undefined, 1000, false],
  ["1E3", undefined, undefined, 1000, false],
  ["1e", undefined, undefined, undefined, false],
  ["1e+", undefined, undefined, undefined, false],
  ["1e-", undefined, undefined, undefined, false],
  ["1e+3", undefined, undefined, 1000, false],
  ["1.e3", undefined, undefined, 1000, false],
  [".e3", undefined, undefined, undefined, false],
  [".5", undefined, undefined, 0.5, false],
  ["5.", undefined, undefined, 5, false],
  [".", undefined, undefined, undefined, false],
  ["1.5d", undefined, undefined, 1.5, false],
  ["1.5D", undefined, undefined, 1.5, false],
  ["1.5f", undefined, undefined, 1.5, false],
  ["1.5F", undefined, undefined, 1.5, false],
  ["1.5x", undefined, undefined, undefined, false],
  ["1.5dd", undefined, undefined, undefined, false],
  ["1.5 d", undefined, undefined, undefined, false],
  ["NaN", undefined, undefined, Number.NaN, false],
  ["-NaN", undefined, undefined, Number.NaN, false],
  ["+NaN", undefined, undefined, Number.NaN, false],
  ["nan", undefined, undefined, undefined, false],
  ["Infinity", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["-Infinity", undefined, undefined, Number.NEGATIVE_INFINITY, false],
  ["+Infinity", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["infinity", undefined, undefined, undefined, false],
  ["Infinityd", undefined, undefined, undefined, false],
  ["NaNd", undefined, undefined, undefined, false],
  ["0x10", undefined, undefined, undefined, false],
  ["0x1p3", undefined, undefined, 8, false],
  ["0X1P3", undefined, undefined, 8, false],
  ["0x1.8p1", undefined, undefined, 3, false],
  ["-0x1.8p1", undefined, undefined, -3, false],
  ["0x.8p1", undefined, undefined, 1, false],
  ["0x1p", undefined, undefined, undefined, false],
  ["0x1", undefined, undefined, undefined, false],
  ["0xp1", undefined, undefined, undefined, false],
  ["0x1p-1074", undefined, undefined, 5e-324, false],
  ["0x1p-1075", undefined, undefined, 0, false],
  ["0x1.0000000000001p-1075", undefined, undefined, 5e-324, false],
  ["0x1p-1076", undefined, undefined, 0, false],
  ["0x1.fffffffffffff8p1023", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["0x1.fffffffffffff7p1023", undefined, undefined, 1.7976931348623157e+308, false],
  ["0x1p1024", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["0x1.00000000000008p0", undefined, undefined, 1, false],
  ["0x1.00000000000018p0", undefined, undefined, 1.0000000000000004, false],
  ["0x1.000000000000081p0", undefined, undefined, 1.0000000000000002, false],
  ["0x123456789abcdef12p0", undefined, undefined, 20988295479420645000, false],
  ["0x1p3d", undefined, undefined, 8, false],
  ["0x1p3f", undefined, undefined, 8, false],
  [" \t1.5\n", undefined, undefined, 1.5, false],
  ["\u00a01.5", undefined, undefined, undefined, false],
  ["1.5\u00a0", undefined, undefined, undefined, false],
  ["\u0663", 3, 3, undefined, false],
  ["\u0663\u0663", 33, 33, undefined, false],
  ["-\u0663", -3, -3, undefined, false],
  ["\uff11\uff12", 12, 12, undefined, false],
  ["\u0966", 0, 0, undefined, false],
  ["\u1040", 0, 0, undefined, false],
  ["\u00b2", undefined, undefined, undefined, false],
  ["true", undefined, undefined, undefined, true],
  ["TRUE", undefined, undefined, undefined, true],
  ["True", undefined, undefined, undefined, true],
  ["tRuE", undefined, undefined, undefined, true],
  ["false", undefined, undefined, undefined, false],
  ["yes", undefined, undefined, undefined, false],
  ["1", 1, 1, 1, false],
  ["truee", undefined, undefined, undefined, false],
  [" true", undefined, undefined, undefined, false],
  ["1e400", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["1e-400", undefined, undefined, 0, false],
  ["4.9e-324", undefined, undefined, 5e-324, false],
  ["2.4703282292062327e-324", undefined, undefined, 0, false],
  ["2.4703282292062328e-324", undefined, undefined, 5e-324, false],
  ["1.7976931348623157e308", undefined, undefined, 1.7976931348623157e+308, false],
  ["1.7976931348623159e308", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["0.1", undefined, undefined, 0.1, false],
  ["0.30000000000000004", undefined, undefined, 0.30000000000000004, false],
  ["123456789012345678901234567890", undefined, undefined, 1.2345678901234568e+29, false],
  ["1_000", undefined, undefined, undefined, false],
  ["1,5", undefined, undefined, undefined, false],
  ["\u0661\u0662\u0663", 123, 123, undefined, false],
  ["0.0", undefined, undefined, 0, false],
  ["-0.0", undefined, undefined, -0, false],
  ["00.5", undefined, undefined, 0.5, false],
  ["+.5", undefined, undefined, 0.5, false],
  ["-.5e-2", undefined, undefined, -0.005, false],
  ["1e2147483648", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["1e-2147483648", undefined, undefined, 0, false],
  ["1e99999999999999999999", undefined, undefined, Number.POSITIVE_INFINITY, false],
  ["0e0", undefined, undefined, 0, false],
  ["e1", undefined, undefined, undefined, false],
  ["1ee1", undefined, undefined, undefined, false],
  ["1.5.5", undefined, undefined, undefined, false],
  ["1..5", undefined, undefined, undefined, false],
];

describe('Java string conversions', () => {
  it.each(JAVA)('%j', (s, int, long, double, bool) => {
    expect(parseJavaInt(s)).toBe(int);
    expect(parseJavaLong(s)).toBe(long);
    const d = parseJavaDouble(s);
    if (double === undefined) expect(d).toBeUndefined();
    else expect(Object.is(d, double), `${d} vs ${double}`).toBe(true);
    expect(parseJavaBoolean(s)).toBe(bool);
  });

  it('Long values past 2^53 stay exact', () => {
    expect(parseJavaLong('9007199254740993')).toBe(9007199254740993n);
    expect(parseJavaLong('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(parseJavaLong('9007199254740991')).toBe(9007199254740991);
  });
});

describe('Double.compare', () => {
  it.each([
    [1, 2, -1],
    [2, 1, 1],
    [1, 1, 0],
    [-0, 0, -1],
    [0, -0, 1],
    [-0, -0, 0],
    [Number.NaN, Number.POSITIVE_INFINITY, 1],
    [Number.POSITIVE_INFINITY, Number.NaN, -1],
    [Number.NaN, Number.NaN, 0],
    [Number.NEGATIVE_INFINITY, -Number.MAX_VALUE, -1],
  ])('compare(%d, %d) = %d', (a, b, want) => {
    expect(compareJavaDouble(a, b)).toBe(want);
  });
});
