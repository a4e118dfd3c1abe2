/**
 * RocketMQ 4.9.8's SelectorParser (filter/src/main/java/.../parser/SelectorParser.jj) as a recursive
 * descent parser with the same precedence (OR < AND < = <> IS < > >= < <= BETWEEN IN < unary + - NOT),
 * the same one- and two-token look-aheads; the nodes, and the checks Java makes while building them,
 * come from SelectorNodeFactory. Like the JavaCC parser it stops after the
 * expression: a following token that no rule wants is left unread (RocketMQ accepts "a = 1 )"), unless
 * `rejectTrailingInput` is set.
 */

import { CompareOp, type SelectorNode } from './selector-ast.js';
import { SelectorLexer, TOKEN_IMAGE, type Token, TokenKind } from './selector-lexer.js';
import { SelectorNodeFactory } from './selector-node-factory.js';
import { SqlFilterError } from './sql-filter-error.js';

export interface SelectorParserOptions {
  /** the deepest nesting accepted (parentheses, unary operators, and the tree they build) */
  maxDepth: number;
  /** refuse text after the expression instead of ignoring it as RocketMQ does */
  rejectTrailingInput: boolean;
}

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
  private readonly nodes: SelectorNodeFactory;
  private readonly tokens: Token[] = [];
  private index = 0;
  private nesting = 0;

  constructor(
    private readonly src: string,
    private readonly options: SelectorParserOptions,
  ) {
    this.lexer = new SelectorLexer(src);
    this.nodes = new SelectorNodeFactory(src, options.maxDepth);
  }

  /** JmsSelector: an orExpression that must result in a boolean value. */
  parse(): SelectorNode {
    const node = this.nodes.asBoolean(this.orExpression());
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
      left = this.nodes.logic('or', this.nodes.asBoolean(left), this.nodes.asBoolean(right));
    }
    return left;
  }

  private andExpression(): SelectorNode {
    let left = this.equalityExpression();
    while (this.peek().kind === TokenKind.AND) {
      this.index++;
      const right = this.equalityExpression();
      left = this.nodes.logic('and', this.nodes.asBoolean(left), this.nodes.asBoolean(right));
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
        const eq = this.nodes.createEqual(left, right, t.start);
        left = t.kind === TokenKind.EQ ? eq : this.nodes.not(eq, left.pos);
      } else if (t.kind === TokenKind.IS) {
        if (this.peek(1).kind === TokenKind.NULL) {
          this.index += 2;
          left = this.nodes.isNull(left);
        } else {
          this.index++;
          this.consume(TokenKind.NOT);
          this.consume(TokenKind.NULL);
          left = this.nodes.not(this.nodes.isNull(left), left.pos);
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
          left = this.nodes.createOrdering(op, left, this.unaryExpr());
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

  /** [NOT] BETWEEN low AND high, the operator already consumed */
  private between(value: SelectorNode, opToken: Token, not: boolean): SelectorNode {
    const low = this.unaryExpr();
    this.consume(TokenKind.AND);
    const high = this.unaryExpr();
    return this.nodes.between(value, low, high, not, opToken.start);
  }

  /** [NOT] IN ( 'literal' [, 'literal']* ), the operator already consumed */
  private inList(left: SelectorNode, opToken: Token, not: boolean): SelectorNode {
    this.consume(TokenKind.LPAREN);
    const literals = [this.consume(TokenKind.STRING_LITERAL).image];
    while (this.peek().kind === TokenKind.COMMA) {
      this.index++;
      literals.push(this.consume(TokenKind.STRING_LITERAL).image);
    }
    this.consume(TokenKind.RPAREN);
    return this.nodes.inFilter(left, literals, not, opToken.start);
  }

  private unaryExpr(): SelectorNode {
    if (++this.nesting > this.options.maxDepth) {
      throw this.nodes.error(
        `Expression nests deeper than ${this.options.maxDepth} levels`,
        this.peek().start,
      );
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
          return this.nodes.negate(operand, t.start);
        }
        case TokenKind.NOT: {
          this.index++;
          return this.nodes.not(this.nodes.asBoolean(this.unaryExpr()), t.start);
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
        return this.nodes.string(t.image, t.start);
      case TokenKind.DECIMAL_LITERAL:
        this.index++;
        return this.nodes.decimal(t.image, t.start);
      case TokenKind.FLOATING_POINT_LITERAL:
        this.index++;
        return this.nodes.float(t.image, t.start);
      case TokenKind.TRUE:
      case TokenKind.FALSE:
      case TokenKind.NULL:
        this.index++;
        return this.nodes.booleanConstant(
          t.kind === TokenKind.NULL ? null : t.kind === TokenKind.TRUE,
          t.start,
        );
      case TokenKind.ID:
        this.index++;
        return this.nodes.property(t.image, t.start);
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

  private unexpected(t: Token, expected: readonly TokenKind[]): SqlFilterError {
    const found = t.kind === TokenKind.EOF ? '<EOF>' : JSON.stringify(t.image);
    const list = expected.map((k) => TOKEN_IMAGE[k]).join(', ');
    const hint = `Was expecting ${expected.length > 1 ? 'one of: ' : ''}${list}`;
    return new SqlFilterError(`Encountered ${found}`, this.src, t.start, hint);
  }
}
