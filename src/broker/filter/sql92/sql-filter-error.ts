/**
 * A SQL92 filter expression that does not compile. RocketMQ wraps every such failure (lexical, syntax,
 * or a semantic check such as "'NULL' cannot be compared") in MQFilterException and the broker answers
 * SUBSCRIPTION_PARSE_FAILED; this error carries where in the expression the problem is.
 */
export class SqlFilterError extends Error {
  override readonly name = 'SqlFilterError';
  /** 0-based index into the expression of the offending character or token. */
  readonly position: number;
  /** 1-based line and column of `position`, as JavaCC reports them (a tab counts as one column). */
  readonly line: number;
  readonly column: number;

  /** `detail` is followed by the position, then by `hint` (what was expected) when there is one. */
  constructor(detail: string, source: string, position: number, hint?: string) {
    const { line, column } = lineColumn(source, position);
    super(`${detail} at line ${line}, column ${column}${hint ? `. ${hint}` : ''}`);
    this.position = position;
    this.line = line;
    this.column = column;
  }
}

function lineColumn(source: string, position: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(position, source.length);
  for (let i = 0; i < end; i++) {
    const c = source.charCodeAt(i);
    // \r\n is one line break, as in JavaCC's SimpleCharStream
    if (c === 0x0a || (c === 0x0d && source.charCodeAt(i + 1) !== 0x0a)) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: position - lineStart + 1 };
}
