import type { Node } from 'web-tree-sitter';
import { defineRule, type RuleContext } from '../../engine/rule';
import type { TaintQuery } from '../../engine/taint/types';
import { calleeName, dottedCallee, fromSource, isPython, taintedAt, type TaintedValue } from '../llm';
import { AI_CODE } from '../prefilters';

const QUERY: TaintQuery = { labels: ['llm-output'], sanitizers: ['sql', 'number'], skipToolArguments: true };

/**
 * Calls whose argument IS SQL text, by qualified name, with the argument's keyword (Python) and
 * position. `fragment` marks constructors of raw SQL pieces (`text()`, `Prisma.raw()`): they
 * are reported where they are built, not again where the piece is run.
 */
interface SqlSink {
  callee: RegExp;
  keyword?: string;
  position: number;
  fragment?: boolean;
}

const PY_SINKS: SqlSink[] = [
  { callee: /^sqlalchemy(\.sql)?(\.expression)?\.text$/, keyword: 'text', position: 0, fragment: true },
  // psycopg's composable SQL: `sql.SQL(text)` is trusted as written (values go in Literal/Identifier).
  { callee: /^psycopg2?\.sql\.SQL$/, keyword: 'obj', position: 0, fragment: true },
  { callee: /^pandas\.read_sql(_query)?$/, keyword: 'sql', position: 0 },
  { callee: /^duckdb(\.connect\(\)|\.DuckDBPyConnection\(\))?\.(sql|query|execute)$/, keyword: 'query', position: 0 },
  // LangChain's SQLDatabase runs what a text-to-SQL chain wrote.
  { callee: /^langchain\w*\.utilities(\.sql_database)?\.SQLDatabase(\.from_\w+)?\(\)\.run(_no_throw)?$/, keyword: 'command', position: 0 },
  { callee: /^pyspark\.sql\.SparkSession.*\.sql$/, keyword: 'sqlQuery', position: 0 },
];

/** DB-API and driver modules whose connections and cursors `execute` SQL text. */
const PY_DRIVERS = /^(sqlite3|psycopg2?|psycopg_pool|pymysql|MySQLdb|mysql\.connector|aiosqlite|aiomysql|aiopg|asyncpg|sqlalchemy|snowflake\.connector|pyodbc|oracledb|cx_Oracle|pymssql|databricks\.sql|trino|clickhouse_connect)\./;
const PY_METHODS = /^(execute|executemany|executescript|exec_driver_sql)$/;
/** asyncpg connections take SQL text in their fetch methods too. */
const PY_ASYNCPG = /^asyncpg\..*\.(fetch|fetchrow|fetchval)$/;

const JS_SINKS: SqlSink[] = [
  { callee: /^@prisma\/client\.Prisma\.raw$/, position: 0, fragment: true },
  { callee: /^drizzle-orm(\/sql)?\.sql\.raw$/, position: 0, fragment: true },
  { callee: /^sequelize(\.Sequelize)?\.literal$/, position: 0, fragment: true },
];

/** Method names that take SQL text on any receiver: distinctive enough to stand alone. */
const JS_RAW_METHODS = /^(\$queryRawUnsafe|\$executeRawUnsafe|whereRaw|orWhereRaw|andWhereRaw|havingRaw|orHavingRaw|orderByRaw|groupByRaw|joinRaw|fromRaw)$/;
/** Driver and query-builder modules whose clients run SQL text with these methods. */
const JS_DRIVERS = /^(pg|pg-pool|mysql2?(\/promise)?|sequelize|knex|better-sqlite3|sqlite3|sqlite|@vercel\/postgres|@neondatabase\/serverless|typeorm|@libsql\/client|mssql|oracledb|postgres|duckdb|@planetscale\/database)(\.|\(|$)/;
const JS_METHODS = /^(query|execute|raw|exec|prepare|unsafe|all|run|get|each)$/;
/** Method names that are generic elsewhere: trusted on unresolved receivers only with SQL-ish evidence. */
const JS_GENERIC = /^(query|execute|raw|exec|prepare|unsafe)$/;

/** Receiver names that say "database": `cursor`, `self.conn`, `db`, `pool`, `session`, `trx`. */
const DB_NAME = /(^|[._])(cur|cursor|conn|connection|con|db|database|session|engine|pool|sqlite|pg|mysql|duck|knex|sequelize|prisma|trx|tx|transaction)s?$/i;
/** Constant text that reads as SQL. */
const SQL_TEXT = /\b(select\b[\s\S]*\bfrom|insert\s+into|update\b[\s\S]*\bset|delete\s+from|(create|drop|alter|truncate)\s+table|with\s+\w+\s+as\s*\()/i;

interface State extends TaintedValue {
  sink: string;
}

export default defineRule<State>({
  meta: {
    id: 'llm-output-to-sql',
    group: 'output-handling',
    title: 'Model output is run as SQL',
    severity: 'error',
    status: 'stable',
    fix: 'none',
    cwe: [89],
    owasp: ['LLM05'],
    confidence: 'high',
    references: [
      'https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/',
      'https://cwe.mitre.org/data/definitions/89.html',
      'https://cheatsheetseries.owasp.org/cheatsheets/Query_Parameterization_Cheat_Sheet.html',
      'https://nvd.nist.gov/vuln/detail/CVE-2023-36189',
    ],
  },
  languages: ['python', 'javascript', 'typescript', 'tsx'],
  requires: AI_CODE,
  check({ captures: { call } }, ctx) {
    if (!call) return undefined;
    const target = isPython(ctx) ? pythonSink(ctx, call) : javascriptSink(ctx, call);
    if (!target) return undefined;
    const found = taintedAt(ctx, target.sql, QUERY, call);
    if (!found) return undefined;
    // Raw fragments report themselves; ORM expression builders bind their values as parameters.
    if (!target.fragment && found.path.steps.some((s) => s.node.id !== call.id && isBuilderOrFragment(ctx, s.node))) return undefined;
    return { ...found, sink: dottedCallee(call) };
  },
  message(s) {
    return `Model output becomes SQL text in \`${s.sink}\` (${fromSource(s.path)}): a prompt injection can make the model write \`'; DROP TABLE …\` or a query that reads other users' rows. Keep the SQL constant and pass values as parameters; when the model writes whole queries (text-to-SQL), run them on a read-only connection limited to the tables it may see.`;
  },
});

interface Target {
  sql: Node;
  fragment?: boolean;
}

function pythonSink(ctx: RuleContext, call: Node): Target | undefined {
  const name = calleeName(ctx, call);
  const row = name ? PY_SINKS.find((r) => r.callee.test(name)) : undefined;
  if (name && row) {
    const sql = ctx.python.argument(call, row.keyword ?? '', row.position);
    return sql && { sql, fragment: row.fragment };
  }
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'attribute' ? fn.childForFieldName('attribute')?.text : undefined;
  const receiver = fn?.childForFieldName('object');
  if (!method || !receiver) return undefined;
  const asyncpg = !!name && PY_ASYNCPG.test(name);
  if (!PY_METHODS.test(method) && !asyncpg) return undefined;
  const args = ctx.python.callArguments(call);
  const sql = args.positional[0] ?? args.keywords.get('operation') ?? args.keywords.get('query') ?? args.keywords.get('sql');
  if (!sql) return undefined;
  const known = (!!name && PY_DRIVERS.test(name)) || asyncpg || namedLikeDatabase(receiver) || looksLikeSql(ctx, sql);
  return known ? { sql } : undefined;
}

function javascriptSink(ctx: RuleContext, call: Node): Target | undefined {
  const name = calleeName(ctx, call);
  const args = ctx.javascript.callArguments(call);
  const row = name ? JS_SINKS.find((r) => r.callee.test(name)) : undefined;
  if (name && row) return args[row.position] && { sql: args[row.position], fragment: row.fragment };
  const fn = call.childForFieldName('function');
  const method = fn?.type === 'member_expression' ? fn.childForFieldName('property')?.text : undefined;
  const receiver = fn?.childForFieldName('object');
  // Tagged templates (`sql\`…${x}\``, `prisma.$queryRaw\`…\``) bind their values: not SQL text.
  if (!method || !receiver || call.childForFieldName('arguments')?.type === 'template_string') return undefined;
  const first = args[0];
  if (!first) return undefined;
  // `client.query({ text, values })` / `connection.query({ sql, values })`.
  const sql = ctx.javascript.definition(first).type === 'object' ? (ctx.javascript.property(first, 'text') ?? ctx.javascript.property(first, 'sql')) : first;
  if (!sql) return undefined;
  if (JS_RAW_METHODS.test(method)) return { sql };
  if (!JS_METHODS.test(method)) return undefined;
  const driver = !!name && JS_DRIVERS.test(name);
  const named = JS_GENERIC.test(method) && (namedLikeDatabase(receiver) || looksLikeSql(ctx, sql));
  return driver || named ? { sql } : undefined;
}

/** `cursor`, `self.conn`, `conn.cursor()`: the receiver's last name, past a final call. */
function namedLikeDatabase(receiver: Node): boolean {
  return DB_NAME.test(receiver.text.replace(/\s+/g, '').replace(/\([^()]*\)$/, ''));
}

/** Whether the constant parts of an expression (following a variable once) read as SQL. */
function looksLikeSql(ctx: RuleContext, value: Node): boolean {
  const def = isPython(ctx) ? ctx.python.definition(value) : ctx.javascript.definition(value);
  return SQL_TEXT.test(def.text);
}

/** A step through a raw-SQL fragment constructor, or through an ORM expression builder. */
function isBuilderOrFragment(ctx: RuleContext, node: Node): boolean {
  if (node.type !== 'call' && node.type !== 'call_expression') return false;
  const name = calleeName(ctx, node);
  if (!name) return false;
  if ((isPython(ctx) ? PY_SINKS : JS_SINKS).some((r) => r.fragment && r.callee.test(name))) return true;
  // SQLAlchemy Core/ORM constructs (`select(User).where(User.name.like(x))`) bind values.
  return isPython(ctx) && /^sqlalchemy\./.test(name);
}
