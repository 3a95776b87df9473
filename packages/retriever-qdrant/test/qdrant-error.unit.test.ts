// Qdrant's HTTP errors go through core's one status map, as every remote adapter's do.
import { classifyHttpStatus } from '@ragloom/core/adapter';
import { describe, expect, it } from 'vitest';
import { mapQdrantError } from '../src/qdrant-error.js';

/** What @qdrant/js-client-rest throws for an HTTP error: an ApiError with status, headers and the parsed body. */
function apiError(status: number, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`HTTP ${status}`), {
    status,
    statusText: 'x',
    headers: new Headers(headers),
    data: { status: { error: `failure ${status}` } },
  });
}

describe('mapQdrantError', () => {
  it('maps every status as classifyHttpStatus does, with the server message and status in details', () => {
    for (const status of [400, 401, 403, 404, 408, 409, 413, 422, 429, 500, 502, 503, 504]) {
      const error = mapQdrantError(apiError(status), { operation: 'search', collection: 'docs' });
      const expected = classifyHttpStatus(status);
      expect([error.code, error.retryable], String(status)).toEqual([expected.code, expected.retryable]);
      expect(error.message).toContain(`failure ${status}`);
      expect(error.details).toMatchObject({ status, collection: 'docs' });
    }
  });

  it('honours x-should-retry', () => {
    expect(
      mapQdrantError(apiError(503, { 'x-should-retry': 'false' }), { operation: 'upsert' }).retryable,
    ).toBe(false);
    expect(
      mapQdrantError(apiError(400, { 'x-should-retry': 'true' }), { operation: 'upsert' }).retryable,
    ).toBe(true);
  });
});
