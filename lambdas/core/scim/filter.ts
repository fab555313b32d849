// SCIM filters (RFC 7644 §3.4.2.2) and attribute paths: a strict recursive-descent parser over the whole grammar
// (eq ne co sw ew gt lt ge le pr, and/or/not, parentheses, value paths `emails[type eq "work"]`), bounded in
// length and depth, and an evaluator over a resource's JSON. Anything else is invalidFilter, never a 500.
import { invalidFilter } from './errors.ts';

export const MAX_FILTER_LENGTH = 1024;
export const MAX_FILTER_DEPTH = 16;

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'lt' | 'ge' | 'le';
const COMPARE_OPS: ReadonlySet<string> = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'lt', 'ge', 'le']);

/** `urn:...:User:manager.value` -> schema `urn:...:User`, attribute `manager`, sub-attribute `value`. */
export interface AttrPath {
  readonly schema?: string | undefined;
  readonly attribute: string;
  readonly subAttribute?: string | undefined;
}

export type Filter =
  | { readonly op: 'and' | 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly op: 'not'; readonly filter: Filter }
  | { readonly op: 'pr'; readonly path: AttrPath }
  | {
      readonly op: 'compare';
      readonly path: AttrPath;
      readonly compare: CompareOp;
      readonly value: string | number | boolean | null;
    }
  | { readonly op: 'valuePath'; readonly path: AttrPath; readonly filter: Filter };

const ATTR_PATH = /^(?:(urn:[A-Za-z0-9:._-]+):)?([A-Za-z$][\w$-]*)(?:\.([A-Za-z$][\w$-]*))?$/;

export function parseAttrPath(text: string, fail: (detail: string) => Error = invalidFilter): AttrPath {
  const match = ATTR_PATH.exec(text);
  if (!match?.[2]) throw fail(`not an attribute path: ${JSON.stringify(text.slice(0, 80))}`);
  return { schema: match[1], attribute: match[2], subAttribute: match[3] };
}

type Token =
  | { kind: 'word'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'punct'; text: '(' | ')' | '[' | ']' };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < text.length) {
    const char = text[index] as string;
    if (char === ' ' || char === '\t') {
      index++;
    } else if (char === '(' || char === ')' || char === '[' || char === ']') {
      tokens.push({ kind: 'punct', text: char });
      index++;
    } else if (char === '"') {
      let end = index + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) throw invalidFilter('unterminated string in filter');
      let value: unknown;
      try {
        value = JSON.parse(text.slice(index, end + 1));
      } catch {
        throw invalidFilter('malformed string in filter');
      }
      tokens.push({ kind: 'string', value: value as string });
      index = end + 1;
    } else {
      const match = /^[^\s()[\]"]+/.exec(text.slice(index));
      if (!match) throw invalidFilter(`unexpected character ${JSON.stringify(char)} in filter`);
      tokens.push({ kind: 'word', text: match[0] });
      index += match[0].length;
    }
  }
  return tokens;
}

export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH)
    throw invalidFilter(`filter longer than ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(text);
  let position = 0;
  const peek = () => tokens[position];
  const isWord = (token: Token | undefined, word: string) =>
    token?.kind === 'word' && token.text.toLowerCase() === word;
  const expect = (text: ')' | ']') => {
    const token = tokens[position++];
    if (token?.kind !== 'punct' || token.text !== text) throw invalidFilter(`expected "${text}" in filter`);
  };

  const orExpression = (depth: number): Filter => {
    if (depth > MAX_FILTER_DEPTH) throw invalidFilter(`filter nested deeper than ${MAX_FILTER_DEPTH}`);
    let left = andExpression(depth);
    while (isWord(peek(), 'or')) {
      position++;
      left = { op: 'or', left, right: andExpression(depth) };
    }
    return left;
  };
  const andExpression = (depth: number): Filter => {
    let left = unary(depth);
    while (isWord(peek(), 'and')) {
      position++;
      left = { op: 'and', left, right: unary(depth) };
    }
    return left;
  };
  const unary = (depth: number): Filter => {
    const token = peek();
    if (isWord(token, 'not')) {
      position++;
      const open = tokens[position++];
      if (open?.kind !== 'punct' || open.text !== '(') throw invalidFilter('"not" must be followed by "("');
      const inner = orExpression(depth + 1);
      expect(')');
      return { op: 'not', filter: inner };
    }
    if (token?.kind === 'punct' && token.text === '(') {
      position++;
      const inner = orExpression(depth + 1);
      expect(')');
      return inner;
    }
    if (token?.kind !== 'word') throw invalidFilter('expected an attribute path in filter');
    position++;
    const path = parseAttrPath(token.text);
    const next = peek();
    if (next?.kind === 'punct' && next.text === '[') {
      position++;
      if (path.subAttribute) throw invalidFilter('a value path cannot follow a sub-attribute');
      const inner = orExpression(depth + 1);
      expect(']');
      return { op: 'valuePath', path, filter: inner };
    }
    if (next?.kind !== 'word') throw invalidFilter('expected an operator in filter');
    const operator = next.text.toLowerCase();
    position++;
    if (operator === 'pr') return { op: 'pr', path };
    if (!COMPARE_OPS.has(operator)) throw invalidFilter(`unknown operator ${JSON.stringify(next.text)}`);
    const valueToken = tokens[position++];
    return { op: 'compare', path, compare: operator as CompareOp, value: compareValue(valueToken) };
  };

  const filter = orExpression(0);
  if (position !== tokens.length) throw invalidFilter('unexpected text after the filter');
  return filter;
}

function compareValue(token: Token | undefined): string | number | boolean | null {
  if (token?.kind === 'string') return token.value;
  if (token?.kind === 'word') {
    const word = token.text.toLowerCase();
    if (word === 'true') return true;
    if (word === 'false') return false;
    if (word === 'null') return null;
    if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token.text)) return Number(token.text);
  }
  throw invalidFilter('expected a value (a JSON string, number, true, false or null) in filter');
}

/** A member of `object` by name, case-insensitively (SCIM attribute names are case-insensitive). */
export function memberOf(object: unknown, name: string): unknown {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) return undefined;
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(object)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** The values an attribute path names on a resource, flattened over multi-valued attributes. */
export function valuesAt(resource: unknown, path: AttrPath): unknown[] {
  const base = path.schema ? memberOf(resource, path.schema) : resource;
  const attribute = memberOf(base, path.attribute);
  const items = Array.isArray(attribute) ? attribute : attribute === undefined ? [] : [attribute];
  if (!path.subAttribute) return items;
  return items.flatMap((item) => {
    const value = memberOf(item, path.subAttribute as string);
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
  });
}

/** `id` and `externalId` compare case-exactly; every other string attribute case-insensitively (RFC 7643). */
const CASE_EXACT = new Set(['id', 'externalid']);

function compareOne(actual: unknown, filter: Extract<Filter, { op: 'compare' }>): boolean {
  const { compare, value } = filter;
  if (value === null) return compare === 'eq' ? actual === null : compare === 'ne' ? actual !== null : false;
  if (typeof value === 'boolean') {
    const bool = typeof actual === 'string' ? actual.toLowerCase() === 'true' : actual;
    if (compare === 'eq') return bool === value;
    if (compare === 'ne') return bool !== value;
    return false;
  }
  if (typeof value === 'number') {
    if (typeof actual !== 'number') return compare === 'ne';
    const table: Record<CompareOp, boolean> = {
      eq: actual === value,
      ne: actual !== value,
      gt: actual > value,
      ge: actual >= value,
      lt: actual < value,
      le: actual <= value,
      co: false,
      sw: false,
      ew: false,
    };
    return table[compare];
  }
  if (typeof actual !== 'string') return compare === 'ne';
  const exact = CASE_EXACT.has(filter.path.attribute.toLowerCase()) && !filter.path.subAttribute;
  const a = exact ? actual : actual.toLowerCase();
  const b = exact ? value : value.toLowerCase();
  switch (compare) {
    case 'eq':
      return a === b;
    case 'ne':
      return a !== b;
    case 'co':
      return a.includes(b);
    case 'sw':
      return a.startsWith(b);
    case 'ew':
      return a.endsWith(b);
    case 'gt':
      return a > b;
    case 'ge':
      return a >= b;
    case 'lt':
      return a < b;
    case 'le':
      return a <= b;
  }
}

export function matches(resource: unknown, filter: Filter): boolean {
  switch (filter.op) {
    case 'and':
      return matches(resource, filter.left) && matches(resource, filter.right);
    case 'or':
      return matches(resource, filter.left) || matches(resource, filter.right);
    case 'not':
      return !matches(resource, filter.filter);
    case 'pr':
      return valuesAt(resource, filter.path).some((value) => value !== null && value !== '');
    case 'compare': {
      const values = valuesAt(resource, filter.path);
      if (values.length === 0)
        return filter.compare === 'ne' || (filter.compare === 'eq' && filter.value === null);
      return filter.compare === 'ne'
        ? values.every((value) => compareOne(value, filter))
        : values.some((value) => compareOne(value, filter));
    }
    case 'valuePath': {
      const items = valuesAt(resource, filter.path);
      return items.some((item) => matches(item, filter.filter));
    }
  }
}

/** `userName eq "x"` at the top level or inside a chain of `and`s: lets a lookup read one item instead of all. */
export function equalityOn(filter: Filter, attribute: string): string | undefined {
  if (filter.op === 'and') return equalityOn(filter.left, attribute) ?? equalityOn(filter.right, attribute);
  if (
    filter.op === 'compare' &&
    filter.compare === 'eq' &&
    typeof filter.value === 'string' &&
    !filter.path.subAttribute &&
    (filter.path.schema === undefined || /:User$|:Group$/i.test(filter.path.schema)) &&
    filter.path.attribute.toLowerCase() === attribute.toLowerCase()
  ) {
    return filter.value;
  }
  return undefined;
}
