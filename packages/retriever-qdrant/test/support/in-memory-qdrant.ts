import type { QdrantClientLike } from '../../src/index.js';
import { displayPath, evaluateFilter, QdrantBadRequest, valueAt } from './qdrant-filter-semantics.js';

/**
 * A test double of the Qdrant REST client: an in-memory store with Qdrant's documented behaviour
 * for the calls the retriever makes (collections with metadata, upsert/retrieve/delete/count,
 * scroll pages, the query API with dense, sparse and fused queries), and Qdrant-shaped errors
 * (`status` + `{ status: { error } }`). It records every call so unit tests can check request
 * JSON, batching and concurrency. It is not Qdrant: the integration tests need QDRANT_URL.
 */

type Obj = Record<string, unknown>;
type Distance = 'Cosine' | 'Dot' | 'Euclid';

interface StoredPoint {
  id: string;
  dense: Map<string, Float32Array>; // '' = the unnamed vector
  sparse: Map<string, Map<number, number>>;
  payload: Obj;
}

interface Collection {
  vectors: Obj;
  sparse: Record<string, { modifier?: string }>;
  metadata: Obj;
  payloadSchema: Record<string, { data_type: string }>;
  createRequest: Obj;
  points: Map<string, StoredPoint>;
}

export class QdrantApiError extends Error {
  readonly status: number;
  readonly statusText: string;
  readonly data: { status: { error: string } };
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
    this.statusText = status === 404 ? 'Not Found' : 'Bad Request';
    this.data = { status: { error: message } };
  }
}

export interface RecordedCall {
  readonly method: string;
  readonly collection: string;
  readonly args: Obj;
}

export interface InMemoryQdrantOptions {
  /** Drop `metadata` on updateCollection, like a server without collection metadata. */
  readonly ignoreMetadata?: boolean;
  /** Milliseconds every upsert takes (to observe concurrency). */
  readonly upsertDelayMs?: number;
}

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

export function createInMemoryQdrant(options: InMemoryQdrantOptions = {}) {
  const collections = new Map<string, Collection>();
  const calls: RecordedCall[] = [];
  let upsertsInFlight = 0;
  let maxUpsertsInFlight = 0;

  const get = (name: string): Collection => {
    const c = collections.get(name);
    if (!c) throw new QdrantApiError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return c;
  };
  const record = (method: string, collection: string, args: unknown) =>
    calls.push({ method, collection, args: clone((args ?? {}) as Obj) });

  const denseParams = (c: Collection, using: string | undefined): { size: number; distance: Distance } => {
    const unnamed = typeof c.vectors.size === 'number';
    const params = (
      using === undefined || using === '' ? (unnamed ? c.vectors : undefined) : c.vectors[using]
    ) as { size: number; distance: Distance } | undefined;
    if (!params) throw new QdrantApiError(400, `Wrong input: Not existing vector name error: ${using ?? ''}`);
    return params;
  };

  const normalize = (v: Float32Array) => {
    let n = 0;
    for (const x of v) n += x * x;
    n = Math.sqrt(n);
    return n === 0 ? v : v.map((x) => x / n);
  };

  function storePoint(c: Collection, point: Obj): void {
    const id = String(point.id);
    if (!/^[0-9a-f-]{36}$/.test(id))
      throw new QdrantApiError(400, `Wrong input: Unable to parse UUID: ${id}`);
    const dense = new Map<string, Float32Array>();
    const sparse = new Map<string, Map<number, number>>();
    const vector = point.vector;
    const put = (name: string, v: unknown) => {
      if (Array.isArray(v)) {
        const params = denseParams(c, name);
        if (v.length !== params.size) {
          throw new QdrantApiError(
            400,
            `Wrong input: Vector dimension error: expected dim: ${params.size}, got ${v.length}`,
          );
        }
        // Qdrant stores f32, and Cosine collections store the normalised vector.
        const f = Float32Array.from(v as number[]);
        dense.set(name, params.distance === 'Cosine' ? normalize(f) : f);
      } else if (v && typeof v === 'object') {
        if (!c.sparse[name])
          throw new QdrantApiError(400, `Wrong input: Not existing vector name error: ${name}`);
        const { indices, values } = v as { indices: number[]; values: number[] };
        if (new Set(indices).size !== indices.length)
          throw new QdrantApiError(400, 'Wrong input: duplicate sparse indices');
        sparse.set(name, new Map(indices.map((i, j) => [i, values[j]!])));
      }
    };
    if (Array.isArray(vector)) put('', vector);
    else for (const [name, v] of Object.entries(vector as Obj)) put(name, v);
    c.points.set(id, { id, dense, sparse, payload: clone(point.payload as Obj) });
  }

  const selectPayload = (payload: Obj, withPayload: unknown): Obj | undefined => {
    if (withPayload === false || withPayload === undefined) return undefined;
    if (withPayload === true) return clone(payload);
    const out: Obj = {};
    for (const path of withPayload as string[]) {
      const value = valueAt(payload, path);
      if (value === undefined) continue;
      const keys = path.split('.').map((k) => k.replace(/^"|"$/g, ''));
      let target = out;
      keys.slice(0, -1).forEach((k) => {
        target[k] ??= {};
        target = target[k] as Obj;
      });
      target[keys[keys.length - 1]!] = clone(value);
    }
    return out;
  };

  const matching = (c: Collection, filter: unknown): StoredPoint[] =>
    [...c.points.values()].filter((p) => evaluateFilter(filter as Obj | undefined, p.payload, p.id));

  /** Scored candidates, best first; ties in point-id order (not the ragloom id order). */
  function nearest(c: Collection, spec: Obj): { point: StoredPoint; score: number }[] {
    const query = spec.query;
    const using = spec.using as string | undefined;
    const candidates = matching(c, spec.filter);
    let scored: { point: StoredPoint; score: number }[];
    let ascending = false;
    if (Array.isArray(query)) {
      const { size, distance } = denseParams(c, using);
      if (query.length !== size)
        throw new QdrantApiError(
          400,
          `Wrong input: Vector dimension error: expected dim: ${size}, got ${query.length}`,
        );
      const q =
        distance === 'Cosine'
          ? normalize(Float32Array.from(query as number[]))
          : Float32Array.from(query as number[]);
      ascending = distance === 'Euclid';
      scored = candidates.flatMap((point) => {
        const v = point.dense.get(using ?? '');
        if (!v) return [];
        let s = 0;
        for (let i = 0; i < v.length; i++) s += distance === 'Euclid' ? (v[i]! - q[i]!) ** 2 : v[i]! * q[i]!;
        return [{ point, score: Math.fround(distance === 'Euclid' ? Math.sqrt(s) : s) }];
      });
    } else if (query && typeof query === 'object' && 'indices' in query) {
      const name = using ?? '';
      if (!c.sparse[name])
        throw new QdrantApiError(400, `Wrong input: Not existing vector name error: ${name}`);
      const { indices, values } = query as { indices: number[]; values: number[] };
      const withVector = [...c.points.values()].filter((p) => p.sparse.has(name));
      const idf = (index: number) => {
        if (c.sparse[name]!.modifier !== 'idf') return 1;
        const n = withVector.filter((p) => p.sparse.get(name)!.has(index)).length;
        return Math.log((withVector.length - n + 0.5) / (n + 0.5) + 1);
      };
      scored = candidates.flatMap((point) => {
        const v = point.sparse.get(name);
        if (!v) return [];
        let s = 0;
        let overlap = false;
        indices.forEach((index, j) => {
          const w = v.get(index);
          if (w !== undefined) {
            overlap = true;
            s += values[j]! * w * idf(index);
          }
        });
        return overlap ? [{ point, score: s }] : [];
      });
    } else {
      throw new QdrantApiError(400, 'Wrong input: unsupported query');
    }
    // Qdrant reads score_threshold as an f32 and, for a plain query, keeps strictly better scores:
    // similarity > t, Euclid distance < t (fused queries: see query()).
    const threshold = spec.score_threshold as number | undefined;
    if (threshold !== undefined) {
      const t = Math.fround(threshold);
      scored = scored.filter((s) => (ascending ? s.score < t : s.score > t));
    }
    scored.sort(
      (a, b) => (ascending ? a.score - b.score : b.score - a.score) || (a.point.id < b.point.id ? -1 : 1),
    );
    return scored.slice(0, (spec.limit as number | undefined) ?? 10);
  }

  const client = {
    async collectionExists(name: string) {
      record('collectionExists', name, {});
      return { exists: collections.has(name) };
    },
    async getCollection(name: string) {
      record('getCollection', name, {});
      const c = get(name);
      return {
        status: 'green',
        optimizer_status: 'ok',
        segments_count: 1,
        points_count: c.points.size,
        config: {
          params: {
            vectors: clone(c.vectors),
            ...(Object.keys(c.sparse).length ? { sparse_vectors: clone(c.sparse) } : {}),
          },
          hnsw_config: {},
          optimizer_config: {},
          ...(options.ignoreMetadata ? {} : { metadata: clone(c.metadata) }),
        },
        payload_schema: clone(c.payloadSchema),
      };
    },
    async createCollection(name: string, args: Obj) {
      record('createCollection', name, args);
      if (collections.has(name))
        throw new QdrantApiError(409, `Wrong input: Collection \`${name}\` already exists!`);
      collections.set(name, {
        vectors: clone(args.vectors as Obj),
        sparse: clone((args.sparse_vectors as Collection['sparse'] | undefined) ?? {}),
        metadata: {},
        payloadSchema: {},
        createRequest: clone(args),
        points: new Map(),
      });
      return true;
    },
    async updateCollection(name: string, args: Obj) {
      record('updateCollection', name, args);
      const c = get(name);
      if (args.metadata && !options.ignoreMetadata) Object.assign(c.metadata, clone(args.metadata as Obj));
      return true;
    },
    async deleteCollection(name: string) {
      record('deleteCollection', name, {});
      return collections.delete(name);
    },
    async createPayloadIndex(name: string, args: Obj) {
      record('createPayloadIndex', name, args);
      const schema = args.field_schema;
      // Qdrant reports indexes under the path as it prints it (unquoted when no quotes are needed).
      get(name).payloadSchema[displayPath(args.field_name as string)] = {
        data_type: typeof schema === 'string' ? schema : ((schema as Obj).type as string),
      };
      return { operation_id: 1, status: 'completed' };
    },
    async upsert(name: string, args: Obj) {
      record('upsert', name, args);
      upsertsInFlight++;
      maxUpsertsInFlight = Math.max(maxUpsertsInFlight, upsertsInFlight);
      try {
        if (options.upsertDelayMs) await new Promise((r) => setTimeout(r, options.upsertDelayMs));
        const c = get(name);
        for (const point of args.points as Obj[]) storePoint(c, point);
        return { operation_id: 1, status: args.wait === false ? 'acknowledged' : 'completed' };
      } finally {
        upsertsInFlight--;
      }
    },
    async delete(name: string, args: Obj) {
      record('delete', name, args);
      const c = get(name);
      const doomed = args.points
        ? (args.points as string[]).map(String)
        : matching(c, args.filter).map((p) => p.id);
      for (const id of doomed) c.points.delete(id);
      return { operation_id: 1, status: 'completed' };
    },
    async retrieve(name: string, args: Obj) {
      record('retrieve', name, args);
      const c = get(name);
      return (args.ids as string[]).flatMap((id) => {
        const p = c.points.get(String(id));
        return p ? [{ id: p.id, ...(args.with_payload ? { payload: clone(p.payload) } : {}) }] : [];
      });
    },
    async count(name: string, args: Obj = {}) {
      record('count', name, args);
      return { count: matching(get(name), args.filter).length };
    },
    async scroll(name: string, args: Obj = {}) {
      record('scroll', name, args);
      const c = get(name);
      const sorted = matching(c, args.filter).sort((a, b) => (a.id < b.id ? -1 : 1));
      const start = args.offset === undefined ? 0 : sorted.findIndex((p) => p.id >= String(args.offset));
      const limit = (args.limit as number | undefined) ?? 10;
      const page = start < 0 ? [] : sorted.slice(start, start + limit);
      const next = start < 0 ? undefined : sorted[start + limit];
      const withVector = args.with_vector;
      return {
        points: page.map((p) => {
          let vector: unknown;
          if (withVector === true)
            vector = p.dense.has('')
              ? Array.from(p.dense.get('')!)
              : Object.fromEntries([...p.dense].map(([k, v]) => [k, Array.from(v)]));
          else if (Array.isArray(withVector))
            vector = Object.fromEntries(
              (withVector as string[])
                .filter((n) => p.dense.has(n))
                .map((n) => [n, Array.from(p.dense.get(n)!)]),
            );
          return {
            id: p.id,
            payload: selectPayload(p.payload, args.with_payload ?? true),
            ...(vector ? { vector } : {}),
          };
        }),
        next_page_offset: next ? next.id : null,
      };
    },
    async query(name: string, args: Obj) {
      record('query', name, args);
      const c = get(name);
      let scored: { point: StoredPoint; score: number }[];
      if (args.prefetch) {
        const lists = (args.prefetch as Obj[]).map((p) => nearest(c, p));
        const fusion = (args.query as Obj).fusion;
        if (fusion !== 'rrf' && fusion !== 'dbsf') {
          throw new QdrantApiError(400, `Wrong input: unknown fusion ${String(fusion)}`);
        }
        const fused = new Map<string, { point: StoredPoint; score: number }>();
        for (const list of lists) {
          // rrf: reciprocal rank with a small constant; dbsf: scores normalised by mean ± 3σ. Tests
          // compare which points come back, not fused values.
          const scores = list.map((s) => s.score);
          const mean = scores.reduce((a, b) => a + b, 0) / Math.max(1, scores.length);
          const sd =
            Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, scores.length)) || 1;
          list.forEach((s, rank) => {
            const entry = fused.get(s.point.id) ?? { point: s.point, score: 0 };
            entry.score += fusion === 'rrf' ? 1 / (2 + rank + 1) : (s.score - (mean - 3 * sd)) / (6 * sd);
            fused.set(s.point.id, entry);
          });
        }
        // Fused scores pass an inclusive threshold (score >= t), unlike plain queries.
        const threshold = args.score_threshold as number | undefined;
        scored = [...fused.values()]
          .map((s) => ({ ...s, score: Math.fround(s.score) }))
          .filter((s) => threshold === undefined || s.score >= Math.fround(threshold))
          .filter((s) => evaluateFilter(args.filter as Obj | undefined, s.point.payload, s.point.id))
          .sort((a, b) => b.score - a.score || (a.point.id < b.point.id ? -1 : 1))
          .slice(0, (args.limit as number | undefined) ?? 10);
      } else {
        scored = nearest(c, args);
      }
      return {
        points: scored.map(({ point, score }) => ({
          id: point.id,
          version: 1,
          score,
          ...(args.with_payload ? { payload: selectPayload(point.payload, args.with_payload) } : {}),
        })),
      };
    },
  };

  return {
    // The double implements the calls with loosely typed arguments; the retriever only sees QdrantClientLike.
    client: client as unknown as QdrantClientLike,
    calls,
    collections,
    callsTo: (method: string) => calls.filter((c) => c.method === method),
    get maxUpsertsInFlight() {
      return maxUpsertsInFlight;
    },
    reset: () => {
      calls.length = 0;
    },
  };
}

export { QdrantBadRequest };
