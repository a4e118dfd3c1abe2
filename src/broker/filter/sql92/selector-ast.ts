/**
 * The expression tree SelectorParser builds, one node kind per RocketMQ expression class. Whether a
 * node is a BooleanExpression in Java decides what the parser accepts (asBooleanExpression,
 * checkLessThanOperand), so it is kept explicit. `<>`, IS NOT NULL, BETWEEN and NOT BETWEEN are built
 * from these nodes exactly as ComparisonExpression.create* builds them.
 */
import type { JavaValue } from './java-values.js';

export const CompareOp = { EQ: 0, GT: 1, GE: 2, LT: 3, LE: 4 } as const;
export type CompareOp = (typeof CompareOp)[keyof typeof CompareOp];

interface NodeBase {
  /** 0-based offset in the source where the node starts (for error positions) */
  readonly pos: number;
  /** height of the subtree, bounded by the compile limits */
  readonly depth: number;
}

/** PropertyExpression: the message property of that name, a string or null. */
export interface PropertyNode extends NodeBase {
  readonly kind: 'property';
  readonly name: string;
}

/** ConstantExpression (a string or number literal) or BooleanConstantExpression (TRUE, FALSE, NULL). */
export interface ConstantNode extends NodeBase {
  readonly kind: 'constant';
  readonly value: JavaValue;
  readonly isBoolean: boolean;
}

/** UnaryExpression.createNegate: a Number negated keeps its type; anything else gives null. */
export interface NegateNode extends NodeBase {
  readonly kind: 'negate';
  readonly operand: SelectorNode;
}

/** UnaryExpression.createNOT */
export interface NotNode extends NodeBase {
  readonly kind: 'not';
  readonly operand: SelectorNode;
}

/** UnaryExpression.createBooleanCast: a bare property used as a condition (null, else FALSE). */
export interface BooleanCastNode extends NodeBase {
  readonly kind: 'booleanCast';
  readonly operand: PropertyNode;
}

/**
 * LogicExpression.createAND / createOR. A chain of the same operator is flattened: Kleene AND/OR
 * evaluated left to right with short-circuit is associative, so (a AND b) AND c answers, and fails,
 * exactly as Java's left-deep tree does, without a tree as deep as the chain is long.
 */
export interface LogicNode extends NodeBase {
  readonly kind: 'and' | 'or';
  readonly operands: readonly SelectorNode[];
  /** built by BETWEEN (value >= low AND value <= high) or NOT BETWEEN (value < low OR value > high) */
  readonly between: boolean;
}

/** ComparisonExpression: createEqual (also IS NULL, without its operand checks) and the four orders. */
export interface CompareNode extends NodeBase {
  readonly kind: 'compare';
  readonly op: CompareOp;
  readonly left: SelectorNode;
  readonly right: SelectorNode;
}

/** UnaryInExpression over a property and string literals. */
export interface InNode extends NodeBase {
  readonly kind: 'in';
  readonly operand: PropertyNode;
  readonly values: readonly string[];
  readonly not: boolean;
}

export type SelectorNode =
  | PropertyNode
  | ConstantNode
  | NegateNode
  | NotNode
  | BooleanCastNode
  | LogicNode
  | CompareNode
  | InNode;

/** `instanceof BooleanExpression` in RocketMQ */
export function isBooleanNode(n: SelectorNode): boolean {
  switch (n.kind) {
    case 'property':
    case 'negate':
      return false;
    case 'constant':
      return n.isBoolean;
    default:
      return true;
  }
}
