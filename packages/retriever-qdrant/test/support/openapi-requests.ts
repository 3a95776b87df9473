import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { Ajv, type ValidateFunction } from 'ajv';
import type { RecordedCall } from './in-memory-qdrant.js';

/**
 * Qdrant's own REST schema (openapi-v1.18.x.json from the shared assets, Apache-2.0), turned into a
 * validator for the requests this package sends: every object that lists its properties is closed to
 * unknown fields (Qdrant's serde accepts unknown fields silently, so a misspelt option would be ignored
 * rather than rejected), OpenAPI 3.0's `nullable` becomes JSON Schema's `null` type.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: Json };

function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (typeof node !== 'object' || node === null) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'nullable') continue;
    out[key] = key === 'properties' ? mapValues(value as Schema) : toJsonSchema(value);
  }
  if ((node as Schema).nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.type === undefined && out.anyOf === undefined && out.$ref === undefined) out.type = 'null';
    else return { anyOf: [out, { type: 'null' }] };
  }
  if (out.properties !== undefined && out.additionalProperties === undefined)
    out.additionalProperties = false;
  return out;
}

function mapValues(properties: Schema): Schema {
  return Object.fromEntries(Object.entries(properties).map(([k, v]) => [k, toJsonSchema(v)]));
}

/** Which REST operation each client method calls (read from @qdrant/js-client-rest 1.18's source). */
const OPERATIONS: Record<string, { method: string; path: string }> = {
  collectionExists: { method: 'get', path: '/collections/{collection_name}/exists' },
  getCollection: { method: 'get', path: '/collections/{collection_name}' },
  createCollection: { method: 'put', path: '/collections/{collection_name}' },
  updateCollection: { method: 'patch', path: '/collections/{collection_name}' },
  deleteCollection: { method: 'delete', path: '/collections/{collection_name}' },
  createPayloadIndex: { method: 'put', path: '/collections/{collection_name}/index' },
  upsert: { method: 'put', path: '/collections/{collection_name}/points' },
  delete: { method: 'post', path: '/collections/{collection_name}/points/delete' },
  retrieve: { method: 'post', path: '/collections/{collection_name}/points' },
  count: { method: 'post', path: '/collections/{collection_name}/points/count' },
  scroll: { method: 'post', path: '/collections/{collection_name}/points/scroll' },
  query: { method: 'post', path: '/collections/{collection_name}/points/query' },
};

interface Operation {
  readonly body: ValidateFunction | undefined;
  readonly query: Map<string, ValidateFunction>;
}

export interface RequestProblem {
  readonly call: string;
  readonly errors: string[];
}

/** Validates recorded client calls against the schema: query parameters and the JSON body, separately. */
export function createRequestValidator() {
  const spec = JSON.parse(readFileSync(assetPath('specs', 'qdrant', 'openapi-v1.18.x.json'), 'utf8')) as {
    components: { schemas: Schema };
    paths: Record<string, Record<string, { parameters?: Schema[]; requestBody?: Schema }>>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: 'qdrant', components: { schemas: mapValues(spec.components.schemas) } } as object);
  const operations = new Map<string, Operation>();
  for (const [name, { method, path }] of Object.entries(OPERATIONS)) {
    const op = spec.paths[path]?.[method];
    if (!op) throw new Error(`the Qdrant schema has no ${method.toUpperCase()} ${path}`);
    const compile = (schema: Json) =>
      ajv.compile(
        JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components', '"qdrant#/components')),
      );
    const bodySchema = (
      op.requestBody as { content?: { 'application/json'?: { schema?: Json } } } | undefined
    )?.content?.['application/json']?.schema;
    const query = new Map<string, ValidateFunction>();
    for (const p of op.parameters ?? []) {
      if (p.in === 'query') query.set(String(p.name), compile(p.schema as Json));
    }
    operations.set(name, { body: bodySchema === undefined ? undefined : compile(bodySchema), query });
  }

  /** Problems with one call (the method's args split as the client splits them). */
  function check(call: RecordedCall): string[] {
    const operation = operations.get(call.method);
    if (!operation) return [`no schema mapping for client method ${call.method}`];
    const errors: string[] = [];
    const body: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(call.args)) {
      const parameter = operation.query.get(key);
      if (parameter) {
        if (!parameter(value)) errors.push(`query parameter ${key}: ${ajv.errorsText(parameter.errors)}`);
      } else body[key] = value;
    }
    if (operation.body) {
      if (!operation.body(body))
        errors.push(`body: ${ajv.errorsText(operation.body.errors, { separator: '; ' })}`);
    } else if (Object.keys(body).length > 0) {
      errors.push(`sends a body (${Object.keys(body).join(', ')}) to an operation that takes none`);
    }
    return errors;
  }

  return {
    check,
    /** Every problem among `calls`, one entry per offending call. */
    problems(calls: readonly RecordedCall[]): RequestProblem[] {
      return calls.flatMap((call) => {
        const errors = check(call);
        return errors.length > 0
          ? [{ call: `${call.method} ${JSON.stringify(call.args).slice(0, 300)}`, errors }]
          : [];
      });
    },
    operations: () => [...operations.keys()],
  };
}
