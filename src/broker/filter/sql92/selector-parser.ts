/**
 * RocketMQ 4.9.8's SelectorParser (filter/src/main/java/.../parser/SelectorParser.jj) as a recursive
 * descent parser with the same precedence (OR < AND < = <> IS < > >= < <= BETWEEN IN < unary + - NOT),
 * the same one- and two-token look-aheads, and the same semantic checks that ComparisonExpression and
 * asBooleanExpression make while the tree is built. Like the JavaCC parser it stops after the
 * expression: a following token that no rule wants is left unread (RocketMQ accepts "a = 1 )"), unless
 * `rejectTrailingInput` is set.
 */

import {
  COMPARE_ERROR,
  compareJavaValues,
  JavaNumber,
  javaValueToString,
  NumberKind,
} from './java-values.js';
import { type CompareNode, CompareOp, isBooleanNode, type SelectorNode } from './selector-ast.js';
import { SelectorLexer, TOKEN_IMAGE, type Token, TokenKind } from './selector-lexer.js';
import { SqlFilterError } from './sql-filter-error.js';

export interface SelectorParserOptions {
  /** the deepest nesting accepted (parentheses, unary operators, and the tree they build) */
  maxDepth: number;
  /** refuse text after the expression instead of ignoring it as RocketMQ does */
  rejectTrailingInput: boolean;
}

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MAX = 9223372036854775807n;

const OPERAND_START: readonly TokenKind[] = [
  TokenKind.NOT,
  TokenKind.TRUE,
  TokenKind.FALSE,
  TokenKind.NULL,
  TokenKind.DECIMAL_LITERAL,
  TokenKind.FLOATING_POINT_LITERAL,
  TokenKind.STRING_LITERAL,
  TokenKind.ID,
  TokenKind.LPAREN,
  TokenKind.MINUS,
];

export class SelectorParser {
  private readonly lexer: SelectorLexer;
  private readonly tokens: Token[] = [];
  private index = 0;
  private nesting = 0;

  constructor(
    private readonly src: string,
    private readonly options: SelectorParserOptions,
  ) {
    this.lexer = new SelectorLexer(src);
  }

  /** JmsSelector: an orExpression that must result in a boolean value. */
  parse(): SelectorNode {
    const node = this.asBoolean(this.orExpression());
    if (this.options.rejectTrailingInput && this.peek().kind !== TokenKind.EOF) {
      throw this.unexpected(this.peek(), [TokenKind.EOF]);
    }
    return node;
  }

  private peek(ahead = 0): Token {
    while (this.tokens.length <= this.index + ahead) this.tokens.push(this.lexer.next());
    return this.tokens[this.index + ahead]!;
  }

  private consume(kind: TokenKind): Token {
    const t = this.peek();
    if (t.kind !== kind) throw this.unexpected(t, [kind]);
    this.index++;
    return t;
  }

  private orExpression(): SelectorNode {
    let left = this.andExpression();
    while (this.peek().kind === TokenKind.OR) {
      this.index++;
      const right = this.andExpression();
      left = this.logic('or', this.asBoolean(left), this.asBoolean(right));
    }
    return left;
  }

  private andExpression(): SelectorNode {
    let left = this.equalityExpression();
    while (this.peek().kind === TokenKind.AND) {
      this.index++;
      const right = this.equalityExpression();
      left = this.logic('and', this.asBoolean(left), this.asBoolean(right));
    }
    return left;
  }

  private equalityExpression(): SelectorNode {
    let left = this.comparisonExpression();
    for (;;) {
      const t = this.peek();
      if (t.kind === TokenKind.EQ || t.kind === TokenKind.NE) {
        this.index++;
        const right = this.comparisonExpression();
        const eq = this.createEqual(left, right, t);
        left = t.kind === TokenKind.EQ ? eq : this.not(eq, left.pos);
      } else if (t.kind === TokenKind.IS) {
        if (this.peek(1).kind === TokenKind.NULL) {
          this.index += 2;
          left = this.isNull(left);
        } else {
          this.index++;
          this.consume(TokenKind.NOT);
          this.consume(TokenKind.NULL);
          left = this.not(this.isNull(left), left.pos);
        }
      } else {
        return left;
      }
    }
  }

  private comparisonExpression(): SelectorNode {
    let left = this.unaryExpr();
    for (;;) {
      const t = this.peek();
      switch (t.kind) {
        case TokenKind.GT:
        case TokenKind.GE:
        case TokenKind.LT:
        case TokenKind.LE: {
          this.index++;
          const op =
            t.kind === TokenKind.GT
              ? CompareOp.GT
              : t.kind === TokenKind.GE
                ? CompareOp.GE
                : t.kind === TokenKind.LT
                  ? CompareOp.LT
                  : CompareOp.LE;
          left = this.createOrdering(op, left, this.unaryExpr());
          break;
        }
        case TokenKind.BETWEEN: {
          this.index++;
          left = this.between(left, t, false);
          break;
        }
        case TokenKind.IN:
          this.index++;
          left = this.inList(left, t, false);
          break;
        case TokenKind.NOT: {
          const next = this.peek(1);
          if (next.kind === TokenKind.BETWEEN) {
            this.index += 2;
            left = this.between(left, t, true);
          } else if (next.kind === TokenKind.IN) {
            this.index += 2;
            left = this.inList(left, t, true);
          } else {
            throw this.unexpected(t, [
              TokenKind.BETWEEN,
              TokenKind.IN,
              TokenKind.GT,
              TokenKind.GE,
              TokenKind.LT,
              TokenKind.LE,
            ]);
          }
          break;
        }
        default:
          return left;
      }
    }
  }

  private between(value: SelectorNode, opToken: Token, not: boolean): SelectorNode {
    const low = this.unaryExpr();
    this.consume(TokenKind.AND);
    const high = this.unaryExpr();
    if (not) {
      // createNotBetween: value < low OR value > high, no check of the bounds
      return this.logic(
        'or',
        this.createOrdering(CompareOp.LT, value, low),
        this.createOrdering(CompareOp.GT, value, high),
        true,
      );
    }
    if (low.kind === 'constant' && high.kind === 'constant') {
      // createBetween refuses literal bounds that are null or in the wrong order
      if (low.value === null || high.value === null) {
        throw this.error('Illegal values of between, values can not be null!', opToken.start);
      }
      const c = compareJavaValues(high.value, low.value);
      if (c === COMPARE_ERROR) {
        throw this.error(
          `Illegal values of between: ${javaValueToString(high.value)} cannot be compared with ${javaValueToString(low.value)}`,
          low.pos,
        );
      }
      if (c < 0) {
        throw this.error(
          `Illegal values of between, left value(${plain(low.value)}) must less than or equal to right value(${plain(high.value)})`,
          low.pos,
        );
      }
    }
    return this.logic(
      'and',
      this.createOrdering(CompareOp.GE, value, low),
      this.createOrdering(CompareOp.LE, value, high),
      true,
    );
  }

  private inList(left: SelectorNode, opToken: Token, not: boolean): SelectorNode {
    this.consume(TokenKind.LPAREN);
    const values = [decodeString(this.consume(TokenKind.STRING_LITERAL).image)];
    while (this.peek().kind === TokenKind.COMMA) {
      this.index++;
      values.push(decodeString(this.consume(TokenKind.STRING_LITERAL).image));
    }
    this.consume(TokenKind.RPAREN);
    if (left.kind !== 'property') {
      throw this.error(`Expected a property for In expression, got: ${describe(left)}`, left.pos);
    }
    return {
      kind: 'in',
      pos: left.pos,
      depth: this.depth(left.depth, opToken.start),
      operand: left,
      values,
      not,
    };
  }

  private unaryExpr(): SelectorNode {
    if (++this.nesting > this.options.maxDepth) {
      throw this.error(`Expression nests deeper than ${this.options.maxDepth} levels`, this.peek().start);
    }
    try {
      const t = this.peek();
      switch (t.kind) {
        case TokenKind.PLUS:
          // LOOKAHEAD("+" unaryExpr()): a unary plus is the operand itself
          this.index++;
          return this.unaryExpr();
        case TokenKind.MINUS: {
          this.index++;
          const operand = this.unaryExpr();
          return { kind: 'negate', pos: t.start, depth: this.depth(operand.depth, t.start), operand };
        }
        case TokenKind.NOT: {
          this.index++;
          return this.not(this.asBoolean(this.unaryExpr()), t.start);
        }
        default:
          return this.primaryExpr();
      }
    } finally {
      this.nesting--;
    }
  }

  private primaryExpr(): SelectorNode {
    const t = this.peek();
    switch (t.kind) {
      case TokenKind.STRING_LITERAL:
        this.index++;
        return { kind: 'constant', pos: t.start, depth: 1, value: decodeString(t.image), isBoolean: false };
      case TokenKind.DECIMAL_LITERAL:
        this.index++;
        return { kind: 'constant', pos: t.start, depth: 1, value: this.decimal(t), isBoolean: false };
      case TokenKind.FLOATING_POINT_LITERAL:
        this.index++;
        return { kind: 'constant', pos: t.start, depth: 1, value: this.float(t), isBoolean: false };
      case TokenKind.TRUE:
      case TokenKind.FALSE:
      case TokenKind.NULL:
        this.index++;
        return {
          kind: 'constant',
          pos: t.start,
          depth: 1,
          value: t.kind === TokenKind.NULL ? null : t.kind === TokenKind.TRUE,
          isBoolean: true,
        };
      case TokenKind.ID:
        this.index++;
        return { kind: 'property', pos: t.start, depth: 1, name: t.image };
      case TokenKind.LPAREN: {
        this.index++;
        const inner = this.orExpression();
        this.consume(TokenKind.RPAREN);
        return inner;
      }
      default:
        throw this.unexpected(t, OPERAND_START);
    }
  }

  /** ConstantExpression.createFromDecimal: a Long (64-bit range only), an Integer when it fits. */
  private decimal(t: Token): JavaNumber {
    let text = t.image;
    if ((text.charCodeAt(text.length - 1) | 0x20) === 0x6c) text = text.slice(0, -1);
    const big = BigInt(text);
    if (big > LONG_MAX) throw this.error(`For input string: "${text}"`, t.start);
    const n = Number(big);
    if (n >= INT_MIN && n <= INT_MAX) return new JavaNumber(NumberKind.INTEGER, n);
    return new JavaNumber(NumberKind.LONG, big);
  }

  /** ConstantExpression.createFloat: refuses overflow and anything below Double.MIN_VALUE, even 0.0. */
  private float(t: Token): JavaNumber {
    const v = Number(t.image);
    if (v > Number.MAX_VALUE) throw this.error(`${t.image} is greater than 1.7976931348623157E308`, t.start);
    if (v < Number.MIN_VALUE) throw this.error(`${t.image} is less than 4.9E-324`, t.start);
    return new JavaNumber(NumberKind.DOUBLE, v);
  }

  /** asBooleanExpression: a BooleanExpression as is, a property through a boolean cast, else refused. */
  private asBoolean(n: SelectorNode): SelectorNode {
    if (isBooleanNode(n)) return n;
    if (n.kind === 'property') return { kind: 'booleanCast', pos: n.pos, depth: n.depth + 1, operand: n };
    throw this.error(`Expression will not result in a boolean value: ${describe(n)}`, n.pos);
  }

  private not(operand: SelectorNode, pos: number): SelectorNode {
    return { kind: 'not', pos, depth: this.depth(operand.depth, pos), operand };
  }

  private isNull(left: SelectorNode): SelectorNode {
    const nullConstant: SelectorNode = {
      kind: 'constant',
      pos: left.pos,
      depth: 1,
      value: null,
      isBoolean: true,
    };
    return this.compare(CompareOp.EQ, left, nullConstant);
  }

  /** A BETWEEN pair stays a node of its own (not flattened) so that it compiles to one test. */
  private logic(kind: 'and' | 'or', left: SelectorNode, right: SelectorNode, between = false): SelectorNode {
    const operands: SelectorNode[] = [];
    let depth = 0;
    for (const n of [left, right]) {
      const flat = n.kind === kind && !n.between ? n.operands : [n];
      for (const o of flat) {
        operands.push(o);
        if (o.depth > depth) depth = o.depth;
      }
    }
    return { kind, pos: left.pos, depth: this.depth(depth, left.pos), operands, between };
  }

  /** createEqual: NULL literals cannot be compared, nor a TRUE/FALSE literal with another literal. */
  private createEqual(left: SelectorNode, right: SelectorNode, opToken: Token): SelectorNode {
    for (const n of [left, right]) {
      if (n.kind === 'constant' && n.value === null) throw this.error("'NULL' cannot be compared.", n.pos);
    }
    if (left.kind === 'constant' && right.kind === 'constant' && left.isBoolean && !right.isBoolean) {
      throw this.error(
        `'${javaValueToString(left.value)}' cannot be compared with '${javaValueToString(right.value)}'`,
        opToken.start,
      );
    }
    return this.compare(CompareOp.EQ, left, right);
  }

  /** checkLessThanOperand: only numbers, properties and negations can be ordered. */
  private createOrdering(op: CompareOp, left: SelectorNode, right: SelectorNode): SelectorNode {
    for (const n of [left, right]) {
      const ok = n.kind === 'constant' ? n.value instanceof JavaNumber : !isBooleanNode(n);
      if (!ok) throw this.error(`Value '${describe(n)}' cannot be compared.`, n.pos);
    }
    return this.compare(op, left, right);
  }

  private compare(op: CompareOp, left: SelectorNode, right: SelectorNode): CompareNode {
    const depth = this.depth(Math.max(left.depth, right.depth), left.pos);
    return { kind: 'compare', pos: left.pos, depth, op, left, right };
  }

  /** The height of a new node over children `childDepth` high; refuses one past maxDepth. */
  private depth(childDepth: number, pos: number): number {
    if (childDepth + 1 > this.options.maxDepth) {
      throw this.error(`Expression nests deeper than ${this.options.maxDepth} levels`, pos);
    }
    return childDepth + 1;
  }

  private unexpected(t: Token, expected: readonly TokenKind[]): SqlFilterError {
    const found = t.kind === TokenKind.EOF ? '<EOF>' : JSON.stringify(t.image);
    const list = expected.map((k) => TOKEN_IMAGE[k]).join(', ');
    const hint = `Was expecting ${expected.length > 1 ? 'one of: ' : ''}${list}`;
    return new SqlFilterError(`Encountered ${found}`, this.src, t.start, hint);
  }

  private error(detail: string, position: number): SqlFilterError {
    return new SqlFilterError(detail, this.src, position);
  }
}

/** stringLitteral(): drop the quotes, '' stands for one quote. */
function decodeString(image: string): string {
  return image.slice(1, -1).replaceAll("''", "'");
}

function plain(v: unknown): string {
  return v instanceof JavaNumber ? v.toString() : String(v);
}

/** How the Java messages name an operand (Expression.toString), roughly. */
function describe(n: SelectorNode): string {
  switch (n.kind) {
    case 'constant':
      return javaValueToString(n.value);
    case 'property':
      return n.name;
    case 'negate':
      return `(- ${describe(n.operand)})`;
    case 'not':
      return `(NOT ${describe(n.operand)})`;
    case 'booleanCast':
      return describe(n.operand);
    default:
      return `(${n.kind} expression)`;
  }
}
