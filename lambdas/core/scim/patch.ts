// SCIM PATCH (RFC 7644 §3.5.2) over a resource's JSON, with the habits of real clients: Entra ID's capitalised
// ops ("Replace", "Add"), path-less operations with a value object whose keys are paths, value-filter paths
// (`emails[type eq "work"].value`) that create the item when none matches yet, and `members` removal by a value
// list. Every path must name an attribute of the resource type's schemas (RFC 7643 core and the extensions
// advertised): anything else is 400 invalidPath, nothing written. The result is checked and normalised by the resource
// mapping afterwards (attributes Keyholder does not keep are dropped there); nothing here trusts a type.
import { invalidPath, invalidSyntax, invalidValue, ScimError } from './errors.ts';
import { type AttrPath, type Filter, matches, memberOf, parseAttrPath, parseFilter } from './filter.ts';
import { ENTERPRISE_SCHEMA, GROUP_SCHEMA, KEYHOLDER_SCHEMA, USER_SCHEMA } from './user.ts';

export const PATCH_OP_SCHEMA = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
export const MAX_PATCH_OPERATIONS = 1000;

export type JsonObject = Record<string, unknown>;

export interface PatchOperation {
  readonly op: 'add' | 'replace' | 'remove';
  readonly path?: string | undefined;
  readonly value?: unknown;
}

/** The body's operations, or invalidSyntax / invalidValue naming what is wrong. */
export function patchOperations(body: unknown): PatchOperation[] {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalidSyntax('a PATCH body must be a PatchOp object');
  }
  const schemas = memberOf(body, 'schemas');
  if (!Array.isArray(schemas) || !schemas.includes(PATCH_OP_SCHEMA)) {
    throw invalidSyntax(`schemas must include ${PATCH_OP_SCHEMA}`);
  }
  const operations = memberOf(body, 'Operations');
  if (!Array.isArray(operations) || operations.length === 0) {
    throw invalidSyntax('Operations must be a non-empty list');
  }
  if (operations.length > MAX_PATCH_OPERATIONS) {
    throw new ScimError(400, 'tooMany', `at most ${MAX_PATCH_OPERATIONS} operations per PATCH`);
  }
  return operations.map((operation, index) => {
    const op = memberOf(operation, 'op');
    const path = memberOf(operation, 'path');
    if (typeof op !== 'string' || !['add', 'replace', 'remove'].includes(op.toLowerCase())) {
      throw invalidSyntax(`Operations[${index}].op must be add, replace or remove`);
    }
    if (path !== undefined && (typeof path !== 'string' || path.length > 512)) {
      throw invalidPath(`Operations[${index}].path must be a string of at most 512 characters`);
    }
    return {
      op: op.toLowerCase() as PatchOperation['op'],
      path: path === '' ? undefined : (path as string | undefined),
      value: memberOf(operation, 'value'),
    };
  });
}

/**
 * The attributes a resource type's PATCH paths may name, per schema, lower-cased: attribute -> its sub-attributes
 * ([] for a simple attribute). What a path names outside these is invalidPath (RFC 7644 §3.5.2).
 */
export interface PatchSchema {
  /** The core schema URN: a path may carry it as a prefix, or no prefix at all. */
  readonly core: string;
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  /** Extension schema URN (lower-cased) -> its attributes, named by a URN-prefixed path. */
  readonly extensions: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
}

const MULTI = ['value', 'display', 'type', 'primary'];
const META = ['resourcetype', 'created', 'lastmodified', 'location', 'version'];

/** RFC 7643 §4.1 User and §4.3 enterprise extension, and Keyholder's own extension. */
export const USER_PATCH_SCHEMA: PatchSchema = {
  core: USER_SCHEMA,
  attributes: {
    schemas: [],
    id: [],
    externalid: [],
    meta: META,
    username: [],
    name: ['formatted', 'familyname', 'givenname', 'middlename', 'honorificprefix', 'honorificsuffix'],
    displayname: [],
    nickname: [],
    profileurl: [],
    title: [],
    usertype: [],
    preferredlanguage: [],
    locale: [],
    timezone: [],
    active: [],
    password: [],
    emails: MULTI,
    phonenumbers: MULTI,
    ims: MULTI,
    photos: MULTI,
    addresses: [
      'formatted',
      'streetaddress',
      'locality',
      'region',
      'postalcode',
      'country',
      'type',
      'primary',
    ],
    groups: ['value', '$ref', 'display', 'type'],
    entitlements: MULTI,
    roles: MULTI,
    x509certificates: MULTI,
  },
  extensions: {
    [ENTERPRISE_SCHEMA.toLowerCase()]: {
      employeenumber: [],
      costcenter: [],
      organization: [],
      division: [],
      department: [],
      manager: ['value', '$ref', 'displayname'],
    },
    [KEYHOLDER_SCHEMA.toLowerCase()]: {
      grade: [],
      clearancelevel: [],
      clearanceexpiresat: [],
      slackuserid: [],
    },
  },
};

/** RFC 7643 §4.2 Group. */
export const GROUP_PATCH_SCHEMA: PatchSchema = {
  core: GROUP_SCHEMA,
  attributes: {
    schemas: [],
    id: [],
    externalid: [],
    meta: META,
    displayname: [],
    members: ['value', '$ref', 'type', 'display'],
  },
  extensions: {},
};

const isCore = (schema: PatchSchema, urn: string | undefined) =>
  urn === undefined || urn.toLowerCase() === schema.core.toLowerCase();

/** The sub-attributes of the attribute `path` names, or invalidPath when the schema has no such attribute. */
function knownAttribute(schema: PatchSchema, path: AttrPath, text: string): readonly string[] {
  const shown = JSON.stringify(text.slice(0, 80));
  const attributes = isCore(schema, path.schema)
    ? schema.attributes
    : Object.hasOwn(schema.extensions, (path.schema as string).toLowerCase())
      ? schema.extensions[(path.schema as string).toLowerCase()]
      : undefined;
  if (!attributes) throw invalidPath(`path ${shown} names a schema this resource does not have`);
  const name = path.attribute.toLowerCase();
  const subs = Object.hasOwn(attributes, name) ? attributes[name] : undefined;
  if (!subs) throw invalidPath(`path ${shown} names no attribute of this resource`);
  if (path.subAttribute !== undefined && !subs.includes(path.subAttribute.toLowerCase())) {
    throw invalidPath(`path ${shown} names no sub-attribute of ${path.attribute}`);
  }
  return subs;
}

/** A value filter compares sub-attributes of the attribute it selects in, plainly named (`type`, not `emails.type`). */
function checkValueFilter(filter: Filter, subs: readonly string[], text: string): void {
  switch (filter.op) {
    case 'and':
    case 'or':
      checkValueFilter(filter.left, subs, text);
      checkValueFilter(filter.right, subs, text);
      return;
    case 'not':
      checkValueFilter(filter.filter, subs, text);
      return;
    case 'valuePath':
      throw invalidPath(`a value filter cannot nest another: ${JSON.stringify(text.slice(0, 80))}`);
    default:
      if (
        filter.path.schema ||
        filter.path.subAttribute ||
        !subs.includes(filter.path.attribute.toLowerCase())
      ) {
        throw invalidPath(
          `the value filter of ${JSON.stringify(text.slice(0, 80))} names an unknown attribute`,
        );
      }
  }
}

/** Refuses a target outside the schema (invalidPath); says nothing about values, which the mapping checks. */
function checkTarget(schema: PatchSchema, target: Target, text: string): void {
  const subs = knownAttribute(schema, target.path, text);
  if (!target.filter) return;
  if (subs.length === 0)
    throw invalidPath(`${target.path.attribute} is not multi-valued: it takes no value filter`);
  checkValueFilter(target.filter, subs, text);
  if (target.subAttribute !== undefined && !subs.includes(target.subAttribute.toLowerCase())) {
    throw invalidPath(
      `path ${JSON.stringify(text.slice(0, 80))} names no sub-attribute of ${target.path.attribute}`,
    );
  }
}

interface Target {
  readonly path: AttrPath;
  readonly filter?: Filter | undefined;
  /** The sub-attribute after a value filter: `emails[type eq "work"].value` -> `value`. */
  readonly subAttribute?: string | undefined;
}

function parseTarget(text: string): Target {
  const open = text.indexOf('[');
  if (open < 0) return { path: parseAttrPath(text, invalidPath) };
  const close = text.lastIndexOf(']');
  if (close < open) throw invalidPath(`unbalanced "[" in path ${JSON.stringify(text.slice(0, 80))}`);
  const rest = text.slice(close + 1);
  if (rest !== '' && !/^\.[A-Za-z$][\w$-]*$/.test(rest))
    throw invalidPath('unexpected text after "]" in path');
  const path = parseAttrPath(text.slice(0, open), invalidPath);
  if (path.subAttribute) throw invalidPath('a value filter cannot follow a sub-attribute');
  let filter: Filter;
  try {
    filter = parseFilter(text.slice(open + 1, close));
  } catch (error) {
    if (error instanceof ScimError) throw invalidPath(`bad value filter in path: ${error.message}`);
    throw error;
  }
  return { path, filter, subAttribute: rest ? rest.slice(1) : undefined };
}

const isObject = (value: unknown): value is JsonObject =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

function keyIn(object: JsonObject, name: string): string {
  const lower = name.toLowerCase();
  return Object.keys(object).find((key) => key.toLowerCase() === lower) ?? name;
}

/** The extension URN `path` is, exactly (any case), or undefined. */
function extensionNamed(schema: PatchSchema, path: string): string | undefined {
  return Object.hasOwn(schema.extensions, path.toLowerCase()) ? path : undefined;
}

/** The object holding the path's attribute: the resource, or its extension object (created when writing). */
function containerOf(resource: JsonObject, path: AttrPath, schema: PatchSchema, create: boolean) {
  if (path.schema === undefined || isCore(schema, path.schema)) return resource;
  const key = keyIn(resource, path.schema);
  const existing = resource[key];
  if (isObject(existing)) return existing;
  if (!create) return undefined;
  const made: JsonObject = {};
  resource[key] = made;
  return made;
}

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** `members` items are the same member when their `value`s are; other items when they are equal. */
function sameItem(a: unknown, b: unknown): boolean {
  const va = memberOf(a, 'value');
  const vb = memberOf(b, 'value');
  if (va !== undefined && vb !== undefined && Object.keys(a as object).length <= 3) return sameJson(va, vb);
  return sameJson(a, b);
}

function merge(existing: unknown, value: unknown): unknown {
  if (isObject(existing) && isObject(value)) {
    const out: JsonObject = { ...existing };
    for (const [name, member] of Object.entries(value)) out[keyIn(out, name)] = member;
    return out;
  }
  return value;
}

/** An item a value filter would match: `type eq "work"` -> {type: "work"}; undefined when it cannot say. */
function itemFromFilter(filter: Filter): JsonObject | undefined {
  if (
    filter.op === 'compare' &&
    filter.compare === 'eq' &&
    !filter.path.subAttribute &&
    !filter.path.schema
  ) {
    return { [filter.path.attribute]: filter.value };
  }
  if (filter.op === 'and') {
    const left = itemFromFilter(filter.left);
    const right = itemFromFilter(filter.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

function applyOne(resource: JsonObject, operation: PatchOperation, schema: PatchSchema): void {
  const { op, value } = operation;
  if (operation.path === undefined) {
    if (op === 'remove') throw new ScimError(400, 'noTarget', 'remove needs a path');
    if (!isObject(value)) throw invalidValue(`a path-less ${op} needs an object value`);
    for (const [name, member] of Object.entries(value)) {
      if (name.toLowerCase() === 'schemas') continue;
      // A key that is an extension schema URN holds that extension's attributes.
      if (/^urn:/i.test(name) && isObject(member) && !isCore(schema, name)) {
        for (const [inner, innerValue] of Object.entries(member)) {
          applyOne(resource, { op, path: `${name}:${inner}`, value: innerValue }, schema);
        }
      } else {
        applyOne(resource, { op, path: name, value: member }, schema);
      }
    }
    return;
  }
  const extension = extensionNamed(schema, operation.path);
  if (extension !== undefined) {
    // The path is an extension's URN itself: its value holds that extension's attributes.
    if (op === 'remove') {
      delete resource[keyIn(resource, extension)];
      return;
    }
    if (!isObject(value)) throw invalidValue(`${op} of ${extension} needs an object value`);
    applyOne(resource, { op, value: { [extension]: value } }, schema);
    return;
  }
  const target = parseTarget(operation.path);
  checkTarget(schema, target, operation.path);
  const container = containerOf(resource, target.path, schema, op !== 'remove');
  if (!container) return; // removing from an extension the resource does not have: nothing to do
  const key = keyIn(container, target.path.attribute);
  const current = container[key];

  if (target.filter) {
    const filter = target.filter;
    const items = Array.isArray(current) ? current : [];
    const hits = items.filter((item) => matches(item, filter));
    const sub = target.subAttribute;
    if (op === 'remove') {
      container[key] = sub
        ? items.map((item) => (hits.includes(item) && isObject(item) ? without(item, sub) : item))
        : items.filter((item) => !hits.includes(item));
      return;
    }
    if (hits.length === 0) {
      const seed = itemFromFilter(filter);
      if (!seed) throw new ScimError(400, 'noTarget', `nothing matches ${operation.path}`);
      const created = sub ? { ...seed, [sub]: value } : merge(seed, value);
      container[key] = [...items, created];
      return;
    }
    container[key] = items.map((item) => {
      if (!hits.includes(item)) return item;
      if (!sub) return merge(item, value);
      return isObject(item) ? { ...item, [keyIn(item, sub)]: value } : item;
    });
    return;
  }

  const sub = target.path.subAttribute;
  if (sub) {
    if (Array.isArray(current)) {
      // `emails.value` without a filter: every item (RFC 7644 allows it; clients rarely send it).
      container[key] = current.map((item) =>
        isObject(item)
          ? op === 'remove'
            ? without(item, sub)
            : { ...item, [keyIn(item, sub)]: value }
          : item,
      );
      return;
    }
    if (op === 'remove') {
      if (isObject(current)) container[key] = without(current, sub);
      return;
    }
    const object = isObject(current) ? { ...current } : {};
    object[keyIn(object, sub)] = value;
    container[key] = object;
    return;
  }

  if (op === 'remove') {
    if (Array.isArray(current) && value !== undefined) {
      // Entra ID: {"op":"Remove","path":"members","value":[{"value":"<id>"}]} removes just those.
      const gone = Array.isArray(value) ? value : [value];
      container[key] = current.filter((item) => !gone.some((g) => sameItem(item, g)));
    } else {
      delete container[key];
    }
    return;
  }
  if (op === 'add' && Array.isArray(current)) {
    const additions = Array.isArray(value) ? value : [value];
    const next = [...current];
    for (const addition of additions) if (!next.some((item) => sameItem(item, addition))) next.push(addition);
    container[key] = next;
    return;
  }
  if (op === 'add' && current === undefined && !Array.isArray(value) && MULTI_VALUED.has(key.toLowerCase())) {
    container[key] = [value];
    return;
  }
  container[key] = merge(current, value);
}

const MULTI_VALUED = new Set(['emails', 'members', 'phonenumbers', 'addresses', 'groups', 'roles']);

function without(object: JsonObject, name: string): JsonObject {
  const key = keyIn(object, name);
  const { [key]: _gone, ...rest } = object;
  return rest;
}

/** Applies every operation, in order, to a deep copy of `resource`; the original is untouched. */
export function applyPatch(
  resource: JsonObject,
  operations: readonly PatchOperation[],
  schema: PatchSchema,
): JsonObject {
  const copy = structuredClone(resource);
  for (const operation of operations) applyOne(copy, operation, schema);
  return copy;
}
