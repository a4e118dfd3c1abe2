/**
 * The values a RocketMQ filter expression computes with, and ComparisonExpression.__compare over them.
 * Property values are strings (or null when absent); numbers only come from literals, typed as Java
 * types them (Integer when the literal fits 32 bits, else Long; Double for floating literals), and the
 * type decides how a string is converted when it meets a number.
 */
import { javaDoubleToString } from '../../../common/java-double.js';
import {
  compareJavaDouble,
  parseJavaBoolean,
  parseJavaDouble,
  parseJavaInt,
  parseJavaLong,
} from './java-number-parse.js';

export const NumberKind = { INTEGER: 0, LONG: 1, DOUBLE: 2 } as const;
export type NumberKind = (typeof NumberKind)[keyof typeof NumberKind];

/** A numeric constant. For a Long, `value` is Number(big) (Java's long-to-double) and `big` exact. */
export class JavaNumber {
  readonly kind: NumberKind;
  readonly value: number;
  readonly big: bigint;

  constructor(kind: NumberKind, value: number | bigint) {
    this.kind = kind;
    if (typeof value === 'bigint') {
      this.big = value;
      this.value = Number(value);
    } else {
      this.value = value;
      this.big = kind === NumberKind.DOUBLE ? 0n : BigInt(value);
    }
  }

  /** UnaryExpression.negate keeps the type. */
  negate(): JavaNumber {
    if (this.kind === NumberKind.DOUBLE) return new JavaNumber(NumberKind.DOUBLE, -this.value);
    if (this.kind === NumberKind.LONG) return new JavaNumber(NumberKind.LONG, -this.big);
    return new JavaNumber(NumberKind.INTEGER, 0 - this.value);
  }

  toString(): string {
    if (this.kind !== NumberKind.DOUBLE) return this.big.toString();
    return javaDoubleToString(this.value);
  }
}

/** A value during evaluation; `null` is Java's null (absent property, NULL, unknown result). */
export type JavaValue = null | string | boolean | JavaNumber;

/** Evaluation failed (Java threw): the broker logs it and the message does not match. */
export const EVAL_ERROR: unique symbol = Symbol('sql92-eval-error');
export type EvalResult = JavaValue | typeof EVAL_ERROR;

/** __compare's answer: -1, 0, 1, or COMPARE_ERROR when Java throws (a conversion failed). */
export const COMPARE_ERROR = 2;

function sign(a: number | bigint, b: number | bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Long vs long, exact whatever representation each side has. */
export function compareLong(a: number | bigint, b: number | bigint): number {
  if (typeof a === typeof b) return sign(a, b);
  return sign(BigInt(a), BigInt(b));
}

/** The string `s` converted as Java converts it to meet `n` (Integer/Long/Double.valueOf), compared. */
export function compareStringWithNumber(s: string, n: JavaNumber): number {
  if (n.kind === NumberKind.INTEGER) {
    const v = parseJavaInt(s);
    return v === undefined ? COMPARE_ERROR : sign(v, n.value);
  }
  if (n.kind === NumberKind.LONG) {
    const v = parseJavaLong(s);
    if (v === undefined) return COMPARE_ERROR;
    return Number.isSafeInteger(n.value) ? compareLong(v, n.value) : compareLong(v, n.big);
  }
  const v = parseJavaDouble(s);
  return v === undefined ? COMPARE_ERROR : compareJavaDouble(v, n.value);
}

function compareNumbers(a: JavaNumber, b: JavaNumber): number {
  // Integer and Long widen to long; anything with a Double widens to double.
  if (a.kind === NumberKind.DOUBLE || b.kind === NumberKind.DOUBLE)
    return compareJavaDouble(a.value, b.value);
  if (a.kind === NumberKind.INTEGER && b.kind === NumberKind.INTEGER) return sign(a.value, b.value);
  return sign(a.big, b.big);
}

function compareBooleans(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? 1 : -1;
}

/**
 * ComparisonExpression.__compare(lv, rv, convertStringExpressions = true) for two non-null values.
 * Mismatched types that Java does not convert answer -1 (so `=` is false and `<` true); a Boolean on
 * the left meeting a String is a ClassCastException in Java, an error here.
 */
export function compareJavaValues(
  lv: string | boolean | JavaNumber,
  rv: string | boolean | JavaNumber,
): number {
  if (typeof lv === 'string') {
    if (typeof rv === 'string') return lv < rv ? -1 : lv > rv ? 1 : 0;
    if (typeof rv === 'boolean') return compareBooleans(parseJavaBoolean(lv), rv);
    return compareStringWithNumber(lv, rv);
  }
  if (typeof lv === 'boolean') {
    if (typeof rv === 'boolean') return compareBooleans(lv, rv);
    return typeof rv === 'string' ? COMPARE_ERROR : -1;
  }
  if (typeof rv === 'string') {
    const c = compareStringWithNumber(rv, lv);
    return c === COMPARE_ERROR ? c : -c;
  }
  if (typeof rv === 'boolean') return -1;
  return compareNumbers(lv, rv);
}

/** How Java prints a constant in its messages (ConstantExpression.toString). */
export function javaValueToString(v: JavaValue): string {
  if (v === null) return 'NULL';
  if (typeof v === 'boolean') return v ? 'TRUE' : 'FALSE';
  if (typeof v === 'string') return `'${v.replaceAll("'", "''")}'`;
  return v.toString();
}
