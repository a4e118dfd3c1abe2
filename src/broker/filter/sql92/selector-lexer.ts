/**
 * The token manager of RocketMQ's SelectorParser.jj: case-insensitive keywords, ASCII identifiers,
 * single-quoted strings ('' escapes a quote), decimal integers (optional L suffix) and floating
 * literals, `--` line comments (only when a line break ends them) and block comments. Tokens are made
 * on demand, as JavaCC does, so text after the last token the parser looks at is never read.
 */
import { SqlFilterError } from './sql-filter-error.js';

export const TokenKind = {
  EOF: 0,
  NOT: 8,
  AND: 9,
  OR: 10,
  BETWEEN: 11,
  IN: 12,
  TRUE: 13,
  FALSE: 14,
  NULL: 15,
  IS: 16,
  DECIMAL_LITERAL: 17,
  FLOATING_POINT_LITERAL: 18,
  STRING_LITERAL: 20,
  ID: 21,
  EQ: 22,
  NE: 23,
  GT: 24,
  GE: 25,
  LT: 26,
  LE: 27,
  LPAREN: 28,
  COMMA: 29,
  RPAREN: 30,
  PLUS: 31,
  MINUS: 32,
} as const;
export type TokenKind = (typeof TokenKind)[keyof typeof TokenKind];

/** Token images as JavaCC's tokenImage names them, for error messages. */
export const TOKEN_IMAGE: Readonly<Record<number, string>> = {
  0: '<EOF>',
  8: '"NOT"',
  9: '"AND"',
  10: '"OR"',
  11: '"BETWEEN"',
  12: '"IN"',
  13: '"TRUE"',
  14: '"FALSE"',
  15: '"NULL"',
  16: '"IS"',
  17: '<DECIMAL_LITERAL>',
  18: '<FLOATING_POINT_LITERAL>',
  20: '<STRING_LITERAL>',
  21: '<ID>',
  22: '"="',
  23: '"<>"',
  24: '">"',
  25: '">="',
  26: '"<"',
  27: '"<="',
  28: '"("',
  29: '","',
  30: '")"',
  31: '"+"',
  32: '"-"',
};

const KEYWORDS: ReadonlyMap<string, TokenKind> = new Map([
  ['not', TokenKind.NOT],
  ['and', TokenKind.AND],
  ['or', TokenKind.OR],
  ['between', TokenKind.BETWEEN],
  ['in', TokenKind.IN],
  ['true', TokenKind.TRUE],
  ['false', TokenKind.FALSE],
  ['null', TokenKind.NULL],
  ['is', TokenKind.IS],
]);

export interface Token {
  readonly kind: TokenKind;
  /** 0-based offset of the first character */
  readonly start: number;
  readonly image: string;
}

function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

function isIdStart(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c === 0x24;
}

function isIdPart(c: number): boolean {
  return isIdStart(c) || isDigit(c);
}

export class SelectorLexer {
  private pos = 0;

  constructor(private readonly src: string) {}

  next(): Token {
    this.skipIgnored();
    const s = this.src;
    const start = this.pos;
    if (start >= s.length) return { kind: TokenKind.EOF, start, image: '' };
    const c = s.charCodeAt(start);
    if (isIdStart(c)) {
      let end = start + 1;
      while (end < s.length && isIdPart(s.charCodeAt(end))) end++;
      return this.take(KEYWORDS.get(s.slice(start, end).toLowerCase()) ?? TokenKind.ID, end);
    }
    if (isDigit(c) || c === 0x2e) return this.number(start);
    switch (c) {
      case 0x27:
        return this.string(start);
      case 0x3d:
        return this.take(TokenKind.EQ, start + 1);
      case 0x3c: {
        const n = s.charCodeAt(start + 1);
        if (n === 0x3e) return this.take(TokenKind.NE, start + 2);
        if (n === 0x3d) return this.take(TokenKind.LE, start + 2);
        return this.take(TokenKind.LT, start + 1);
      }
      case 0x3e:
        return s.charCodeAt(start + 1) === 0x3d
          ? this.take(TokenKind.GE, start + 2)
          : this.take(TokenKind.GT, start + 1);
      case 0x28:
        return this.take(TokenKind.LPAREN, start + 1);
      case 0x29:
        return this.take(TokenKind.RPAREN, start + 1);
      case 0x2c:
        return this.take(TokenKind.COMMA, start + 1);
      case 0x2b:
        return this.take(TokenKind.PLUS, start + 1);
      case 0x2d:
        return this.take(TokenKind.MINUS, start + 1);
    }
    throw this.lexicalError(start, `Lexical error: unexpected character ${describeChar(s, start)}`);
  }

  private take(kind: TokenKind, end: number): Token {
    const start = this.pos;
    this.pos = end;
    return { kind, start, image: this.src.slice(start, end) };
  }

  /** White space " \t\n\r\f", `-- ...` up to a line break, and block comments. */
  private skipIgnored(): void {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0c) {
        this.pos++;
      } else if (c === 0x2d && s.charCodeAt(this.pos + 1) === 0x2d) {
        // Without a line break the comment does not match and "-" is a token (JavaCC's longest match).
        let end = this.pos + 2;
        while (end < s.length && s.charCodeAt(end) !== 0x0a && s.charCodeAt(end) !== 0x0d) end++;
        if (end >= s.length) return;
        this.pos = end + 1;
      } else if (c === 0x2f && s.charCodeAt(this.pos + 1) === 0x2a) {
        const close = s.indexOf('*/', this.pos + 2);
        if (close < 0) throw this.lexicalError(this.pos, 'Lexical error: unterminated comment');
        this.pos = close + 2;
      } else {
        return;
      }
    }
  }

  /**
   * DECIMAL_LITERAL: "0" | [1-9][0-9]*[lL]?; FLOATING_POINT_LITERAL: digits "." digits? exp? |
   * "." digits exp? | digits exp. The longest wins, so "007" is three tokens and "0L" is 0 then L.
   */
  private number(start: number): Token {
    const s = this.src;
    const len = s.length;
    let decimalEnd = -1;
    const c = s.charCodeAt(start);
    if (c === 0x30) decimalEnd = start + 1;
    else if (isDigit(c)) {
      let e = start + 1;
      while (e < len && isDigit(s.charCodeAt(e))) e++;
      if (e < len && (s.charCodeAt(e) | 0x20) === 0x6c) e++;
      decimalEnd = e;
    }
    let e = start;
    while (e < len && isDigit(s.charCodeAt(e))) e++;
    const intDigits = e - start;
    let floatEnd = -1;
    if (e < len && s.charCodeAt(e) === 0x2e) {
      let f = e + 1;
      while (f < len && isDigit(s.charCodeAt(f))) f++;
      if (intDigits > 0 || f > e + 1) floatEnd = this.exponent(f);
    } else if (intDigits > 0) {
      const x = this.exponent(e);
      if (x > e) floatEnd = x;
    }
    if (floatEnd > decimalEnd) return this.take(TokenKind.FLOATING_POINT_LITERAL, floatEnd);
    if (decimalEnd > 0) return this.take(TokenKind.DECIMAL_LITERAL, decimalEnd);
    throw this.lexicalError(start, `Lexical error: unexpected character ${describeChar(s, start)}`);
  }

  /** The end of an optional exponent [eE][+-]?[0-9]+ starting at `at` (or `at` when there is none). */
  private exponent(at: number): number {
    const s = this.src;
    if ((s.charCodeAt(at) | 0x20) !== 0x65) return at;
    let e = at + 1;
    const c = s.charCodeAt(e);
    if (c === 0x2b || c === 0x2d) e++;
    const digits = e;
    while (e < s.length && isDigit(s.charCodeAt(e))) e++;
    return e > digits ? e : at;
  }

  private string(start: number): Token {
    const s = this.src;
    let i = start + 1;
    // Every quote may close the literal; '' also continues it. The longest match wins, so when the
    // text runs out inside an escape ('it''s''x) the literal is the longest one that did close.
    let lastEnd = -1;
    for (;;) {
      const q = s.indexOf("'", i);
      if (q < 0) {
        if (lastEnd < 0) throw this.lexicalError(start, 'Lexical error: unterminated string literal');
        return this.take(TokenKind.STRING_LITERAL, lastEnd);
      }
      if (s.charCodeAt(q + 1) !== 0x27) return this.take(TokenKind.STRING_LITERAL, q + 1);
      lastEnd = q + 1;
      i = q + 2;
    }
  }

  private lexicalError(position: number, detail: string): SqlFilterError {
    return new SqlFilterError(detail, this.src, position);
  }
}

function describeChar(s: string, at: number): string {
  const code = s.codePointAt(at) ?? 0;
  return `${JSON.stringify(String.fromCodePoint(code))} (${code})`;
}
