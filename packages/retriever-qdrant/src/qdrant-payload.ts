import type { Schemas } from '@qdrant/js-client-rest';
import type { Metadata, RetrieverRecord } from '@ragloom/core';

/**
 * The payload layout of a ragloom point: `{ id, text, metadata: {...} }`. Metadata is nested under
 * its own key so that no user field can collide with `id` or `text`; filters address it as
 * `metadata.<field>` (the same layout LangChain's Qdrant store uses for `metadata`).
 */
export const PAYLOAD_KEYS = { id: 'id', text: 'text', metadata: 'metadata' } as const;

export function toPayload(record: RetrieverRecord): Record<string, unknown> {
  return {
    [PAYLOAD_KEYS.id]: record.id,
    [PAYLOAD_KEYS.text]: record.text,
    [PAYLOAD_KEYS.metadata]: { ...record.metadata },
  };
}

/** The ragloom view of a stored point. Points written by other tools fall back to the point id. */
export function fromPayload(
  pointId: Schemas['ExtendedPointId'],
  payload: Record<string, unknown> | null | undefined,
): { id: string; text: string; metadata: Metadata } {
  const id = payload?.[PAYLOAD_KEYS.id];
  const text = payload?.[PAYLOAD_KEYS.text];
  const metadata = payload?.[PAYLOAD_KEYS.metadata];
  return {
    id: typeof id === 'string' ? id : String(pointId),
    text: typeof text === 'string' ? text : '',
    metadata:
      typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)
        ? (metadata as Metadata)
        : {},
  };
}
