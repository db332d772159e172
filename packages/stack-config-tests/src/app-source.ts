// What the apps' source says about their logs and defaults, read with the TypeScript compiler (no build of the
// apps needed, so this package keeps no dependency on them):
// - every `logger.<level>(fields, 'message')` call, with the field names it writes;
// - the default of an integer variable, `parseInteger(env, 'NAME', <default>, …)` (@rideshare/env-config).
import { readdirSync } from 'node:fs';
import ts from 'typescript';
import { readText, repoPath } from './repo.js';

export interface LogCall {
  file: string;
  level: string;
  msg: string;
  fields: string[];
}

const LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal']);

/**
 * Fields on every line, besides the call's own: pino's `level`, `time`, `msg`; the logger's base `service`
 * and `region` (packages/profiling-tracing/src/logger.ts startLogs); and inside a span `trace_id`,
 * `span_id`, `trace_flags` (@opentelemetry/instrumentation-pino).
 */
export const COMMON_LOG_FIELDS = ['level', 'time', 'msg', 'service', 'region'];
export const SPAN_LOG_FIELDS = ['trace_id', 'span_id', 'trace_flags'];
/** Loki stream labels our transport sets (packages/profiling-tracing/src/loki-shipper.ts #streamOf). */
export const STREAM_LABELS = ['service_name', 'region', 'level'];

function sourceFiles(dir: string): ts.SourceFile[] {
  return readdirSync(repoPath(dir))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => ts.createSourceFile(`${dir}/${f}`, readText(dir, f), ts.ScriptTarget.ES2022, true));
}

function objectKeys(node: ts.ObjectLiteralExpression): string[] {
  return node.properties.flatMap((p) =>
    (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) &&
    (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))
      ? [p.name.text]
      : [],
  );
}

/** `const <name> = { … }` in the function around `from`. */
function localObject(name: string, from: ts.Node): ts.ObjectLiteralExpression | undefined {
  let scope: ts.Node | undefined = from;
  while (scope && !ts.isFunctionLike(scope)) scope = scope.parent;
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      ts.isIdentifier(node.name) &&
      node.name.text === name &&
      node.initializer !== undefined &&
      ts.isObjectLiteralExpression(node.initializer)
    )
      found = node.initializer;
    ts.forEachChild(node, visit);
  };
  if (scope) visit(scope);
  return found;
}

/** The log calls in `dir` (e.g. apps/rideshare/src). */
export function logCalls(dir: string): LogCall[] {
  const calls: LogCall[] = [];
  for (const file of sourceFiles(dir)) {
    const visit = (node: ts.Node): void => {
      if (
        ts.isCallExpression(node) &&
        ts.isPropertyAccessExpression(node.expression) &&
        LEVELS.has(node.expression.name.text) &&
        /logger$/i.test(node.expression.expression.getText(file)) &&
        node.arguments.length === 2
      ) {
        const [fields, msg] = node.arguments;
        const object =
          fields && ts.isObjectLiteralExpression(fields)
            ? fields
            : fields && ts.isIdentifier(fields)
              ? localObject(fields.text, node)
              : undefined;
        if (msg && ts.isStringLiteralLike(msg) && object)
          calls.push({
            file: file.fileName,
            level: node.expression.name.text,
            msg: msg.text,
            fields: objectKeys(object),
          });
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return calls;
}

/** The default of `parseInteger(env, '<name>', <default>, …)` in `file`. */
export function integerDefault(file: string, name: string): number {
  const source = ts.createSourceFile(file, readText(file), ts.ScriptTarget.ES2022, true);
  let value: number | undefined;
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.getText(source) === 'parseInteger' &&
      node.arguments[1] !== undefined &&
      ts.isStringLiteralLike(node.arguments[1]) &&
      node.arguments[1].text === name &&
      node.arguments[2] !== undefined &&
      ts.isNumericLiteral(node.arguments[2])
    )
      value = Number(node.arguments[2].text.replace(/_/g, ''));
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (value === undefined) throw new Error(`${file}: no parseInteger(env, '${name}', <number>, …)`);
  return value;
}

/** A string-valued default expression: a literal, or `<identifier> === '<literal>' ? a : b`, given values. */
function evaluate(node: ts.Expression, values: Record<string, string>, source: ts.SourceFile): string {
  if (ts.isStringLiteralLike(node)) return node.text;
  if (ts.isParenthesizedExpression(node)) return evaluate(node.expression, values, source);
  if (
    ts.isConditionalExpression(node) &&
    ts.isBinaryExpression(node.condition) &&
    node.condition.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken &&
    ts.isIdentifier(node.condition.left) &&
    ts.isStringLiteralLike(node.condition.right)
  ) {
    const actual = values[node.condition.left.text];
    if (actual === undefined) throw new Error(`no value for ${node.condition.left.text}`);
    return evaluate(actual === node.condition.right.text ? node.whenTrue : node.whenFalse, values, source);
  }
  throw new Error(`cannot evaluate the default ${node.getText(source)}`);
}

/** The default of `parseOneOf(env, '<name>', [choices], <default>)` in `file`, given local values. */
export function oneOfDefault(file: string, name: string, values: Record<string, string>): string {
  const source = ts.createSourceFile(file, readText(file), ts.ScriptTarget.ES2022, true);
  let value: string | undefined;
  const visit = (node: ts.Node): void => {
    if (
      ts.isCallExpression(node) &&
      node.expression.getText(source) === 'parseOneOf' &&
      node.arguments[1] !== undefined &&
      ts.isStringLiteralLike(node.arguments[1]) &&
      node.arguments[1].text === name &&
      node.arguments[3] !== undefined
    )
      value = evaluate(node.arguments[3], values, source);
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (value === undefined) throw new Error(`${file}: no parseOneOf(env, '${name}', …, <default>)`);
  return value;
}
