/**
 * RocketMQ 4.9.8's SQL92 message filter (org.apache.rocketmq.filter), for the broker's pull path:
 * compile a subscription's expression once, evaluate it against each message's properties.
 *
 *   const expr = compileSql92("a > 5 AND TAGS IN ('TagA', 'TagB')"); // throws SqlFilterError
 *   expr.evaluate(messageProperties); // true only when RocketMQ's evaluate answers Boolean.TRUE
 */
export {
  type CompiledExpression,
  compileSql92,
  DEFAULT_SQL92_MAX_DEPTH,
  DEFAULT_SQL92_MAX_LENGTH,
  type Sql92Limits,
} from './compile-sql92.js';
export { type MessageProperties, Sql92Result } from './expression-compiler.js';
export { SqlFilterError } from './sql-filter-error.js';
export { Sql92FilterCache, type Sql92FilterCacheOptions } from './sql92-filter-cache.js';
