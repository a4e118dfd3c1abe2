/**
 * Builds SelectorNodes the way RocketMQ's expression factories do (ComparisonExpression.create*,
 * LogicExpression.create*, UnaryExpression.create*, ConstantExpression.createFromDecimal/createFloat,
 * SelectorParser.asBooleanExpression), with the checks they make: an expression Java refuses while
 * building its tree is refused here, at the position of the operand or operator at fault. Also stamps
 * each node's height and refuses trees deeper than the limit.
 */
import {
  COMPARE_ERROR,
  compareJavaValues,
  JavaNumber,
  javaValueToString,
  NumberKind,
} from './java-values.js';
import { type CompareNode, CompareOp, isBooleanNode, type SelectorNode } from './selector-ast.js';
import { SqlFilterError } from './sql-filter-error.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MAX = 9223372036854775807n;

export class SelectorNodeFactory {
  constructor(
    private readonly src: string,
    private readonly maxDepth: number,
  ) {}

  property(name: string, pos: number): SelectorNode {
    return { kind: 'property', pos, depth: 1, name };
  }

  /** stringLitteral(): the literal without its quotes, '' standing for one quote */
  string(image: string, pos: number): SelectorNode {
    return { kind: 'constant', pos, depth: 1, value: decodeString(image), isBoolean: false };
  }

  /** TRUE, FALSE, NULL: BooleanConstantExpression */
  booleanConstant(value: boolean | null, pos: number): SelectorNode {
    return { kind: 'constant', pos, depth: 1, value, isBoolean: true };
  }

  /** ConstantExpression.createFromDecimal: a Long (64-bit range only), an Integer when it fits. */
  decimal(image: string, pos: number): SelectorNode {
    let text = image;
    if ((text.charCodeAt(text.length - 1) | 0x20) === 0x6c) text = text.slice(0, -1);
    const big = BigInt(text);
    if (big > LONG_MAX) throw this.error(`For input string: "${text}"`, pos);
    const n = Number(big);
    const value =
      n >= INT_MIN && n <= INT_MAX
        ? new JavaNumber(NumberKind.INTEGER, n)
        : new JavaNumber(NumberKind.LONG, big);
    return { kind: 'constant', pos, depth: 1, value, isBoolean: false };
  }

  /** ConstantExpression.createFloat: refuses overflow and anything below Double.MIN_VALUE, even 0.0. */
  float(image: string, pos: number): SelectorNode {
    const v = Number(image);
    if (v > Number.MAX_VALUE) throw this.error(`${image} is greater than 1.7976931348623157E308`, pos);
    if (v < Number.MIN_VALUE) throw this.error(`${image} is less than 4.9E-324`, pos);
    return { kind: 'constant', pos, depth: 1, value: new JavaNumber(NumberKind.DOUBLE, v), isBoolean: false };
  }

  /** UnaryExpression.createNegate */
  negate(operand: SelectorNode, pos: number): SelectorNode {
    return { kind: 'negate', pos, depth: this.depth(operand.depth, pos), operand };
  }

  /** asBooleanExpression: a BooleanExpression as is, a property through a boolean cast, else refused. */
  asBoolean(n: SelectorNode): SelectorNode {
    if (isBooleanNode(n)) return n;
    if (n.kind === 'property') return { kind: 'booleanCast', pos: n.pos, depth: n.depth + 1, operand: n };
    throw this.error(`Expression will not result in a boolean value: ${describe(n)}`, n.pos);
  }

  /** UnaryExpression.createNOT; also how `<>` and IS NOT NULL are built */
  not(operand: SelectorNode, pos: number): SelectorNode {
    return { kind: 'not', pos, depth: this.depth(operand.depth, pos), operand };
  }

  /** createIsNull: doCreateEqual(left, NULL) without createEqual's operand checks */
  isNull(left: SelectorNode): SelectorNode {
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
  logic(kind: 'and' | 'or', left: SelectorNode, right: SelectorNode, between = false): SelectorNode {
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
  createEqual(left: SelectorNode, right: SelectorNode, opPos: number): SelectorNode {
    for (const n of [left, right]) {
      if (n.kind === 'constant' && n.value === null) throw this.error("'NULL' cannot be compared.", n.pos);
    }
    if (left.kind === 'constant' && right.kind === 'constant' && left.isBoolean && !right.isBoolean) {
      throw this.error(
        `'${javaValueToString(left.value)}' cannot be compared with '${javaValueToString(right.value)}'`,
        opPos,
      );
    }
    return this.compare(CompareOp.EQ, left, right);
  }

  /** checkLessThanOperand: only numbers, properties and negations can be ordered. */
  createOrdering(op: CompareOp, left: SelectorNode, right: SelectorNode): SelectorNode {
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
    if (childDepth + 1 > this.maxDepth) {
      throw this.error(`Expression nests deeper than ${this.maxDepth} levels`, pos);
    }
    return childDepth + 1;
  }

  /** createBetween (with its check of literal bounds) or createNotBetween (without). */
  between(
    value: SelectorNode,
    low: SelectorNode,
    high: SelectorNode,
    not: boolean,
    opPos: number,
  ): SelectorNode {
    if (not) {
      return this.logic(
        'or',
        this.createOrdering(CompareOp.LT, value, low),
        this.createOrdering(CompareOp.GT, value, high),
        true,
      );
    }
    if (low.kind === 'constant' && high.kind === 'constant') {
      if (low.value === null || high.value === null) {
        throw this.error('Illegal values of between, values can not be null!', opPos);
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

  /** createInFilter / createNotInFilter: only a property can be tested against a list. */
  inFilter(left: SelectorNode, literals: readonly string[], not: boolean, opPos: number): SelectorNode {
    if (left.kind !== 'property') {
      throw this.error(`Expected a property for In expression, got: ${describe(left)}`, left.pos);
    }
    const values = literals.map(decodeString);
    return { kind: 'in', pos: left.pos, depth: this.depth(left.depth, opPos), operand: left, values, not };
  }

  error(detail: string, position: number): SqlFilterError {
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
