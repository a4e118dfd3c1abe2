/**
 * compileSql92: RocketMQ's SqlFilter.compile (SelectorParser.parse) for the broker's pull path, with
 * bounds so that a hostile subscription can neither stall nor crash the broker.
 */
import {
  type BooleanFn,
  ExpressionCompiler,
  type MessageProperties,
  Sql92Result,
} from './expression-compiler.js';
import { SelectorParser } from './selector-parser.js';
import { SqlFilterError } from './sql-filter-error.js';

export interface Sql92Limits {
  /** longest expression accepted, in UTF-16 code units (default 8192; an IN list of a few hundred tags fits) */
  maxLength?: number;
  /** deepest nesting of parentheses, unary operators and the tree they build (default 100) */
  maxDepth?: number;
  /**
   * Refuse text after a complete expression. RocketMQ 4.9.8 ignores it ("a = 1 )" filters on a = 1),
   * so the default is false: a subscription that works against RocketMQ works here.
   */
  rejectTrailingInput?: boolean;
}

export const DEFAULT_SQL92_MAX_LENGTH = 8192;
export const DEFAULT_SQL92_MAX_DEPTH = 100;

export interface CompiledExpression {
  readonly source: string;
  /**
   * Whether a message with these user properties (TAGS, KEYS and the rest included) passes, as
   * ExpressionMessageFilter.isMatchedByCommitLog decides: only a TRUE result passes; null (unknown)
   * and an evaluation error (Java throws, the broker logs it) do not.
   */
  evaluate(props: MessageProperties | null | undefined): boolean;
  /** The raw result: Sql92Result.TRUE, FALSE, NULL (Java's null) or ERROR (Java threw). */
  evaluateResult(props: MessageProperties | null | undefined): Sql92Result;
}

const NO_PROPERTIES: MessageProperties = Object.freeze(Object.create(null));

class CompiledSql92Expression implements CompiledExpression {
  constructor(
    readonly source: string,
    private readonly fn: BooleanFn,
  ) {}

  evaluate(props: MessageProperties | null | undefined): boolean {
    return this.fn(props ?? NO_PROPERTIES) === Sql92Result.TRUE;
  }

  evaluateResult(props: MessageProperties | null | undefined): Sql92Result {
    return this.fn(props ?? NO_PROPERTIES);
  }

  toString(): string {
    return this.source;
  }
}

/** Compiles an SQL92 filter expression; a bad one throws SqlFilterError naming the position. */
export function compileSql92(expression: string, limits: Sql92Limits = {}): CompiledExpression {
  const maxLength = limits.maxLength ?? DEFAULT_SQL92_MAX_LENGTH;
  const maxDepth = limits.maxDepth ?? DEFAULT_SQL92_MAX_DEPTH;
  if (typeof expression !== 'string') {
    throw new SqlFilterError('Expression is not a string', '', 0);
  }
  if (expression.length > maxLength) {
    throw new SqlFilterError(`Expression is longer than ${maxLength} characters`, expression, maxLength);
  }
  const root = new SelectorParser(expression, {
    maxDepth,
    rejectTrailingInput: limits.rejectTrailingInput ?? false,
  }).parse();
  return new CompiledSql92Expression(expression, new ExpressionCompiler().compile(root));
}
