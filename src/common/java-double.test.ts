import { describe, expect, it } from 'vitest';
import { javaDouble, javaDoubleToString } from './java-double.js';

describe('javaDoubleToString', () => {
  it('prints as Java Double.toString does', () => {
    expect(javaDoubleToString(0)).toBe('0.0');
    expect(javaDoubleToString(-0)).toBe('-0.0');
    expect(javaDoubleToString(5)).toBe('5.0');
    expect(javaDoubleToString(-2.5)).toBe('-2.5');
    expect(javaDoubleToString(0.001)).toBe('0.001');
    expect(javaDoubleToString(0.0001)).toBe('1.0E-4');
    expect(javaDoubleToString(1.5e-7)).toBe('1.5E-7');
    expect(javaDoubleToString(9_999_999.5)).toBe('9999999.5');
    expect(javaDoubleToString(10_000_000)).toBe('1.0E7');
    expect(javaDoubleToString(1e21)).toBe('1.0E21');
    expect(javaDoubleToString(-1.25e-300)).toBe('-1.25E-300');
    expect(javaDoubleToString(Number.NaN)).toBe('NaN');
    expect(javaDoubleToString(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(javaDoubleToString(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });

  it('as fastjson writes it: non-finite values are null', () => {
    expect(javaDouble(1 / 3)).toBe('0.3333333333333333');
    expect(javaDouble(0.8)).toBe('0.8');
    expect(javaDouble(9_999_999)).toBe('9999999.0');
    expect(javaDouble(12_345_678)).toBe('1.2345678E7');
    expect(javaDouble(Number.NaN)).toBe('null');
    expect(javaDouble(Number.NEGATIVE_INFINITY)).toBe('null');
  });
});
