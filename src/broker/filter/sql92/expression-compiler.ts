/**
 * Turns a SelectorNode tree into a tree of closures that evaluates without allocating. Every boolean
 * node answers a Sql92Result (Java's Boolean.TRUE / FALSE / null, or ERROR where Java throws and
 * ExpressionMessageFilter logs and refuses the message). The shapes seen on real subscriptions (a
 * property against a literal, IN, IS NULL, a bare property) get dedicated closures; everything else
 * goes through compareJavaValues, which is RocketMQ's __compare.
 */
import {
  compareJavaDouble,
  parseJavaBoolean,
  parseJavaDouble,
  parseJavaInt,
  parseJavaLong,
} from './java-number-parse.js';
import {
  COMPARE_ERROR,
  compareJavaValues,
  compareLong,
  compareStringWithNumber,
  EVAL_ERROR,
  type EvalResult,
  JavaNumber,
  type JavaValue,
  NumberKind,
} from './java-values.js';
import { type CompareNode, CompareOp, type LogicNode, type SelectorNode } from './selector-ast.js';

/** Message properties by name; a missing name, or one that is not an own string, is Java's null. */
export type MessageProperties = Readonly<Record<string, string | undefined>>;

/** What an expression evaluates to, as RocketMQ's Expression.evaluate would answer. */
export const Sql92Result = { FALSE: 0, TRUE: 1, NULL: 2, ERROR: 3 } as const;
export type Sql92Result = (typeof Sql92Result)[keyof typeof Sql92Result];

export type BooleanFn = (p: MessageProperties) => Sql92Result;
type ValueFn = (p: MessageProperties) => EvalResult;

const { FALSE, TRUE, NULL, ERROR } = Sql92Result;
const RESULT_VALUE: readonly EvalResult[] = [false, true, null, EVAL_ERROR];

/**
 * Which signs of compare(property, constant) make the comparison true, one bit each for -1, 0, 1:
 * the answer is (mask >> (sign + 1)) & 1, no branch per operator.
 */
const OP_MASK: Readonly<Record<CompareOp, number>> = {
  [CompareOp.LT]: 0b001,
  [CompareOp.EQ]: 0b010,
  [CompareOp.GT]: 0b100,
  [CompareOp.LE]: 0b011,
  [CompareOp.GE]: 0b110,
};

function mirror(mask: number): number {
  return ((mask & 1) << 2) | (mask & 2) | ((mask >> 2) & 1);
}

const NOT_CONSTANT: unique symbol = Symbol('not-constant');

/**
 * The value of a node known at compile time: literals, negated literals (UnaryExpression keeps the
 * number's type; a non-number negates to null), and a negated property (a string: always null).
 */
function constantOf(n: SelectorNode): JavaValue | typeof NOT_CONSTANT {
  if (n.kind === 'constant') return n.value;
  if (n.kind !== 'negate') return NOT_CONSTANT;
  if (n.operand.kind === 'property') return null;
  const v = constantOf(n.operand);
  if (v === NOT_CONSTANT) return NOT_CONSTANT;
  return v instanceof JavaNumber ? v.negate() : null;
}

export class ExpressionCompiler {
  compile(root: SelectorNode): BooleanFn {
    return this.bool(root);
  }

  private bool(n: SelectorNode): BooleanFn {
    switch (n.kind) {
      case 'constant': {
        const r = n.value === null ? NULL : n.value === true ? TRUE : FALSE;
        return () => r;
      }
      case 'booleanCast': {
        // UnaryExpression.createBooleanCast: a property's value is a String, never a Boolean
        const name = n.operand.name;
        return (p) => (typeof p[name] === 'string' ? FALSE : NULL);
      }
      case 'not': {
        const f = this.bool(n.operand);
        return (p) => {
          const r = f(p);
          return r === TRUE ? FALSE : r === FALSE ? TRUE : r;
        };
      }
      case 'and':
        return (n.between && this.between(n)) || this.and(n.operands.map((o) => this.bool(o)));
      case 'or':
        return (n.between && this.between(n)) || this.or(n.operands.map((o) => this.bool(o)));
      case 'in': {
        const name = n.operand.name;
        const set = new Set(n.values);
        const hit = n.not ? FALSE : TRUE;
        const miss = n.not ? TRUE : FALSE;
        return (p) => {
          const s = p[name];
          if (typeof s !== 'string') return NULL;
          return set.has(s) ? hit : miss;
        };
      }
      case 'compare':
        return this.compare(n);
      default:
        // a property or a negation is never a boolean: the parser wraps or refuses them
        throw new Error(`not a boolean expression: ${n.kind}`);
    }
  }

  private and(fs: BooleanFn[]): BooleanFn {
    if (fs.length === 2) {
      const [f0, f1] = fs as [BooleanFn, BooleanFn];
      return (p) => {
        const a = f0(p);
        if (a === FALSE || a === ERROR) return a;
        const b = f1(p);
        if (b === FALSE || b === ERROR) return b;
        return a === TRUE ? b : NULL;
      };
    }
    return (p) => {
      let unknown = false;
      for (let i = 0; i < fs.length; i++) {
        const r = fs[i]!(p);
        if (r === FALSE || r === ERROR) return r;
        if (r === NULL) unknown = true;
      }
      return unknown ? NULL : TRUE;
    };
  }

  private or(fs: BooleanFn[]): BooleanFn {
    if (fs.length === 2) {
      const [f0, f1] = fs as [BooleanFn, BooleanFn];
      return (p) => {
        const a = f0(p);
        if (a === TRUE || a === ERROR) return a;
        const b = f1(p);
        if (b === TRUE || b === ERROR) return b;
        return a === FALSE ? b : NULL;
      };
    }
    return (p) => {
      let unknown = false;
      for (let i = 0; i < fs.length; i++) {
        const r = fs[i]!(p);
        if (r === TRUE || r === ERROR) return r;
        if (r === NULL) unknown = true;
      }
      return unknown ? NULL : FALSE;
    };
  }

  private compare(n: CompareNode): BooleanFn {
    const { left, right, op } = n;
    const lc = constantOf(left);
    const rc = constantOf(right);
    if (left.kind === 'property' && rc !== NOT_CONSTANT) {
      const fast = this.propertyVsConstant(left.name, rc, OP_MASK[op], NULL, false);
      if (fast) return fast;
    }
    if (right.kind === 'property' && lc !== NOT_CONSTANT) {
      // doCreateEqual: a non-null left and a null right is FALSE, not null
      const fast = this.propertyVsConstant(
        right.name,
        lc,
        mirror(OP_MASK[op]),
        op === CompareOp.EQ ? FALSE : NULL,
        true,
      );
      if (fast) return fast;
    }
    const lf = this.value(left);
    const rf = this.value(right);
    return op === CompareOp.EQ ? genericEqual(lf, rf) : genericOrdering(lf, rf, OP_MASK[op]);
  }

  /**
   * property OP constant (or constant OP property, `reversed`, with the mask mirrored). `nullResult`
   * answers an absent property. Undefined when the constant has no fast path.
   */
  private propertyVsConstant(
    name: string,
    c: JavaValue,
    mask: number,
    nullResult: Sql92Result,
    reversed: boolean,
  ): BooleanFn | undefined {
    if (c === null) {
      // only IS NULL builds `property = NULL` (the parser refuses a NULL literal in =)
      if (reversed || mask !== OP_MASK[CompareOp.EQ]) return undefined;
      return (p) => (typeof p[name] === 'string' ? FALSE : TRUE);
    }
    if (typeof c === 'string') {
      // String.equals, or compareTo != 0 when it is not equal: = only (ordering a string is refused)
      if (mask !== OP_MASK[CompareOp.EQ]) return undefined;
      return (p) => {
        const s = p[name];
        if (typeof s !== 'string') return nullResult;
        return s === c ? TRUE : FALSE;
      };
    }
    if (typeof c === 'boolean') {
      if (mask !== OP_MASK[CompareOp.EQ]) return undefined;
      if (reversed) {
        // __compare(Boolean, String) casts the Boolean to String: ClassCastException
        return (p) => (typeof p[name] === 'string' ? ERROR : FALSE);
      }
      return (p) => {
        const s = p[name];
        if (typeof s !== 'string') return NULL;
        return parseJavaBoolean(s) === c ? TRUE : FALSE;
      };
    }
    return this.propertyVsNumber(name, c, mask, nullResult);
  }

  /**
   * The property converted as the literal's type demands (Integer/Long/Double.valueOf), compared.
   * (Remembering the last conversion per property was measured: slower than converting again.)
   */
  private propertyVsNumber(name: string, c: JavaNumber, mask: number, nullResult: Sql92Result): BooleanFn {
    if (c.kind === NumberKind.INTEGER) {
      const k = c.value;
      return (p) => {
        const s = p[name];
        if (typeof s !== 'string') return nullResult;
        const v = parseJavaInt(s);
        if (v === undefined) return ERROR;
        return ((mask >> ((v < k ? -1 : v > k ? 1 : 0) + 1)) & 1) as Sql92Result;
      };
    }
    if (c.kind === NumberKind.LONG) {
      const k = Number.isSafeInteger(c.value) ? c.value : c.big;
      return (p) => {
        const s = p[name];
        if (typeof s !== 'string') return nullResult;
        const v = parseJavaLong(s);
        if (v === undefined) return ERROR;
        return ((mask >> (compareLong(v, k) + 1)) & 1) as Sql92Result;
      };
    }
    const k = c.value;
    return (p) => {
      const s = p[name];
      if (typeof s !== 'string') return nullResult;
      const v = parseJavaDouble(s);
      if (v === undefined) return ERROR;
      return ((mask >> (compareJavaDouble(v, k) + 1)) & 1) as Sql92Result;
    };
  }

  /**
   * `property [NOT] BETWEEN number AND number` read and converted once. Same answers as the pair:
   * absent is null for both halves; a failed conversion fails the first half; when the first half
   * decides (>= false, or < true) the second is not evaluated, so it cannot fail.
   */
  private between(n: LogicNode): BooleanFn | undefined {
    const [first, second] = n.operands as [SelectorNode, SelectorNode];
    if (first.kind !== 'compare' || second.kind !== 'compare' || first.left.kind !== 'property')
      return undefined;
    const low = constantOf(first.right);
    const high = constantOf(second.right);
    if (!(low instanceof JavaNumber) || !(high instanceof JavaNumber)) return undefined;
    const name = first.left.name;
    const not = n.kind === 'or';
    if (low.kind === NumberKind.INTEGER && high.kind === NumberKind.INTEGER) {
      const lo = low.value;
      const hi = high.value;
      return (p) => {
        const s = p[name];
        if (typeof s !== 'string') return NULL;
        const v = parseJavaInt(s);
        if (v === undefined) return ERROR;
        return (v >= lo && v <= hi) !== not ? TRUE : FALSE;
      };
    }
    return (p) => {
      const s = p[name];
      if (typeof s !== 'string') return NULL;
      const c1 = compareStringWithNumber(s, low);
      if (c1 === COMPARE_ERROR) return ERROR;
      if (c1 < 0) return not ? TRUE : FALSE;
      const c2 = compareStringWithNumber(s, high);
      if (c2 === COMPARE_ERROR) return ERROR;
      return c2 <= 0 !== not ? TRUE : FALSE;
    };
  }

  private value(n: SelectorNode): ValueFn {
    const c = constantOf(n);
    if (c !== NOT_CONSTANT) return () => c;
    if (n.kind === 'property') {
      const name = n.name;
      return (p) => {
        const s = p[name];
        return typeof s === 'string' ? s : null;
      };
    }
    if (n.kind === 'negate') {
      // the operand is a boolean expression: it may fail, else its Boolean negates to null
      const f = this.value(n.operand);
      return (p) => {
        const v = f(p);
        if (v === EVAL_ERROR) return v;
        return v instanceof JavaNumber ? v.negate() : null;
      };
    }
    const f = this.bool(n);
    return (p) => RESULT_VALUE[f(p)]!;
  }
}

/** doCreateEqual: both sides evaluated; null = null is TRUE, null on the left only is null. */
function genericEqual(lf: ValueFn, rf: ValueFn): BooleanFn {
  return (p) => {
    const l = lf(p);
    if (l === EVAL_ERROR) return ERROR;
    const r = rf(p);
    if (r === EVAL_ERROR) return ERROR;
    if (l === null) return r === null ? TRUE : NULL;
    if (r === null) return FALSE;
    const c = compareJavaValues(l, r);
    return c === COMPARE_ERROR ? ERROR : c === 0 ? TRUE : FALSE;
  };
}

/** ComparisonExpression.evaluate for > >= < <=: two strings are both read as doubles. */
function genericOrdering(lf: ValueFn, rf: ValueFn, mask: number): BooleanFn {
  return (p) => {
    const l = lf(p);
    if (l === EVAL_ERROR) return ERROR;
    if (l === null) return NULL;
    const r = rf(p);
    if (r === EVAL_ERROR) return ERROR;
    if (r === null) return NULL;
    let c: number;
    if (typeof l === 'string' && typeof r === 'string') {
      const a = parseJavaDouble(l);
      if (a === undefined) return ERROR;
      const b = parseJavaDouble(r);
      if (b === undefined) return ERROR;
      c = compareJavaDouble(a, b);
    } else {
      c = compareJavaValues(l, r);
      if (c === COMPARE_ERROR) return ERROR;
    }
    return ((mask >> (c + 1)) & 1) as Sql92Result;
  };
}
