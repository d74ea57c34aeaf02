/**
 * openapi.yaml as the tests use it: parsed once, `$ref`s followed by JSON pointer, schemas
 * compiled with ajv (JSON Schema 2020-12, the dialect of OpenAPI 3.1), and a checker that says
 * what is wrong with one real HTTP response.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseYaml } from '@redocly/openapi-core';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/** The repository's openapi.yaml. */
export const SPEC_PATH = fileURLToPath(new URL('../../openapi.yaml', import.meta.url));

type Node = Record<string, unknown>;

/** The parsed spec. */
export function loadSpec(): Node {
  return parseYaml(readFileSync(SPEC_PATH, 'utf8')) as Node;
}

/** `"GET /authorize"` for every operation of the spec. */
export function specOperations(spec: Node): string[] {
  const methods = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
  const paths = spec.paths as Record<string, Node>;
  return Object.entries(paths).flatMap(([path, item]) =>
    methods.filter((method) => method in item).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** One HTTP response seen in a test. */
export interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

/** A redirect target described by `x-location-targets`. */
interface LocationTarget {
  readonly name: string;
  readonly path: string;
  readonly fragment?: string;
  readonly query: readonly string[];
  readonly optional: readonly string[];
}

// ajv-formats is CommonJS with a default export; under NodeNext it arrives wrapped.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => void;

/** Checks recorded responses against the spec. */
export class SpecChecker {
  private readonly ajv: Ajv2020;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(
    readonly spec: Node,
    /** PUBLIC_URL of the bridge under test: paths are relative to it. */
    private readonly issuer: string,
  ) {
    this.ajv = new Ajv2020({ allErrors: true, strict: true });
    addFormats(this.ajv);
    // The document is added whole so that schemas keep their `#/components/...` references; its
    // top-level OpenAPI fields are declared as inert keywords, so strict mode still rejects
    // anything unknown inside the schemas themselves.
    for (const field of Object.keys(spec)) this.ajv.addKeyword(field);
    this.ajv.addSchema(spec, 'openapi');
  }

  /** Validates `value` against the schema at `pointer` (a JSON pointer into the spec). */
  validate(pointer: string, value: unknown): string[] {
    let validate = this.compiled.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `openapi#${pointer}` });
      this.compiled.set(pointer, validate);
    }
    if (validate(value)) return [];
    return (validate.errors ?? []).map(
      (e) => `${e.instancePath || '(value)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`,
    );
  }

  /** Everything wrong with `r` according to the spec; empty when it conforms. */
  problems(r: Recorded): string[] {
    const where = `${r.method} ${this.relativePath(r.url)} → ${r.status}`;
    const found = this.findResponse(r);
    if (typeof found === 'string') return [`${where}: ${found}`];
    const { pointer, response } = found;
    const problems = [
      ...this.headerProblems(r, pointer, response),
      ...this.bodyProblems(r, pointer, response),
      ...commonHeaderProblems(r),
    ];
    return problems.map((problem) => `${where}: ${problem}`);
  }

  /** The path below the issuer, without query. */
  relativePath(url: string): string {
    if (!url.startsWith(this.issuer)) throw new Error(`${url} is not below ${this.issuer}`);
    return url.slice(this.issuer.length).split(/[?#]/)[0]!;
  }

  private findResponse(r: Recorded): { pointer: string; response: Node } | string {
    const path = this.relativePath(r.url);
    const template = Object.keys(this.spec.paths as Node).find((t) => templateRegex(t).test(path));
    if (!template) return 'no path of the spec matches';
    const method = r.method === 'HEAD' ? 'get' : r.method.toLowerCase();
    const operationPointer = `/paths/${escapePointer(template)}/${method}`;
    if (!this.at(operationPointer)) return `the spec has no ${r.method} operation here`;
    const responses = this.at(`${operationPointer}/responses`) as Node;
    const code = [String(r.status), `${String(r.status)[0]}XX`, 'default'].find((c) => c in responses);
    if (!code) return `status ${r.status} is not declared (declared: ${Object.keys(responses).join(', ')})`;
    return this.resolve(`${operationPointer}/responses/${code}`);
  }

  private headerProblems(r: Recorded, pointer: string, response: Node): string[] {
    const problems: string[] = [];
    for (const name of Object.keys((response.headers as Node | undefined) ?? {})) {
      const header = this.resolve(`${pointer}/headers/${escapePointer(name)}`);
      const values =
        name.toLowerCase() === 'set-cookie'
          ? r.headers.getSetCookie()
          : [r.headers.get(name)].filter((v) => v !== null);
      if (values.length === 0) {
        if (header.response.required === true) problems.push(`required header ${name} is missing`);
        continue;
      }
      for (const value of values) {
        problems.push(...this.validate(`${header.pointer}/schema`, value).map((p) => `header ${name}: ${value}: ${p}`));
      }
      const targets = header.response['x-location-targets'] as LocationTarget[] | undefined;
      if (targets) problems.push(...locationProblems(values[0]!, targets));
    }
    return problems;
  }

  private bodyProblems(r: Recorded, pointer: string, response: Node): string[] {
    const content = response.content as Node | undefined;
    if (r.method === 'HEAD') return r.body === '' ? [] : ['HEAD answered with a body'];
    if (!content) return r.body === '' ? [] : [`a body was sent, but the spec declares none: ${r.body.slice(0, 80)}`];
    const mediaType = (r.headers.get('content-type') ?? '').split(';')[0]!.trim();
    if (!(mediaType in content))
      return [`content-type ${mediaType} is not declared (declared: ${Object.keys(content).join(', ')})`];
    const schemaPointer = `${pointer}/content/${escapePointer(mediaType)}/schema`;
    if (mediaType !== 'application/json') return this.validate(schemaPointer, r.body);
    let json: unknown;
    try {
      json = JSON.parse(r.body);
    } catch {
      return ['the body is not JSON'];
    }
    return this.validate(schemaPointer, json).map((p) => `body ${p}`);
  }

  /** Follows `$ref`s from `pointer`; returns the final node and its pointer. */
  resolve(pointer: string): { pointer: string; response: Node } {
    let current = pointer;
    for (let i = 0; i < 10; i += 1) {
      const node = this.at(current) as Node | undefined;
      if (!node) throw new Error(`openapi.yaml has nothing at ${current}`);
      if (typeof node.$ref !== 'string') return { pointer: current, response: node };
      current = node.$ref.replace(/^#/, '');
    }
    throw new Error(`$ref loop at ${pointer}`);
  }

  private at(pointer: string): unknown {
    let node: unknown = this.spec;
    for (const part of pointer.split('/').slice(1)) {
      if (typeof node !== 'object' || node === null) return undefined;
      node = (node as Node)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    }
    return node;
  }
}

/** Headers the spec promises on every response (info.description). */
function commonHeaderProblems(r: Recorded): string[] {
  const problems: string[] = [];
  if (r.headers.get('x-content-type-options') !== 'nosniff')
    problems.push('X-Content-Type-Options: nosniff is missing');
  if (r.headers.get('referrer-policy') !== 'no-referrer') problems.push('Referrer-Policy: no-referrer is missing');
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(r.headers.get('x-request-id') ?? ''))
    problems.push('X-Request-Id is missing or malformed');
  return problems;
}

/** The Location must be one of the targets, with the query names that target requires. */
function locationProblems(location: string, targets: readonly LocationTarget[]): string[] {
  const url = new URL(location);
  const names = [...url.searchParams.keys()];
  const matching = targets.find((target) => {
    const fixedPath = !target.path.startsWith('{');
    if (fixedPath && !url.pathname.endsWith(target.path)) return false;
    if (target.fragment !== undefined && url.hash !== `#${target.fragment}`) return false;
    if (!target.query.every((name) => names.includes(name))) return false;
    // WeCom URLs carry exactly the documented query; a relying party's URI may have its own.
    return !fixedPath || names.every((name) => target.query.includes(name) || target.optional.includes(name));
  });
  return matching ? [] : [`Location ${location} matches none of: ${targets.map((t) => t.name).join('; ')}`];
}

function templateRegex(template: string): RegExp {
  const pattern = template
    .split(/(\{[^}]+\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${pattern}$`);
}

function escapePointer(part: string): string {
  return part.replace(/~/g, '~0').replace(/\//g, '~1');
}
