/** The spec version every ragloom contract declares. A host may accept v1 and a future v2 side by side. */
export type SpecificationVersion = 'v1';

/** A metadata value: JSON scalars, or an array of scalars (matched element-wise by filters). */
export type MetadataScalar = string | number | boolean;
export type MetadataValue = MetadataScalar | null | readonly MetadataScalar[];
/** Flat metadata. Nested objects are not part of the contract (filters address top-level keys). */
export type Metadata = Readonly<Record<string, MetadataValue>>;

/** A vector given to ragloom: a Float32Array or a plain array of numbers. Vectors returned are Float32Array. */
export type VectorLike = Float32Array | readonly number[];

/** Distance/similarity a dense index ranks by. Scores: cosine and dot = similarity; l2 = negative squared distance. */
export type Metric = 'cosine' | 'dot' | 'l2';

/** A source document before chunking. */
export interface Document {
  readonly id: string;
  readonly text: string;
  readonly metadata?: Metadata;
}

/** A piece of a document. `document.text.slice(start, end) === text` always holds (UTF-16 offsets). */
export interface Chunk {
  /** Unique id, by default `${documentId}#${index}`. */
  readonly id: string;
  readonly documentId: string;
  readonly index: number;
  readonly text: string;
  readonly start: number;
  readonly end: number;
  /** The document's metadata plus what the chunker adds (e.g. `headings` for markdown). */
  readonly metadata: Metadata;
}

/** Progress of a long-running operation (ingest, download, eval). `total` is undefined when unknown. */
export interface ProgressEvent {
  readonly phase: string;
  readonly completed: number;
  readonly total?: number;
  readonly message?: string;
}
