import type { AskResult, Citation, RetrievedPassage } from '@ragloom/core';
import { locateCitation, locatePassage, type SourceLocation } from '../runtime/source-location.js';

/** Where a passage or citation points, in the API's snake_case (null when unknown). */
const locationJson = (where: SourceLocation) => ({
  source: where.source,
  line: where.line ?? null,
  end_line: where.endLine ?? null,
  page: where.page ?? null,
  label: where.label,
});

/** A citation in API responses: its [n], the file and lines it points at, and the quoted text. */
export function citationJson(citation: Citation, passages: readonly RetrievedPassage[]) {
  const where = locateCitation(citation, passages[citation.number - 1]);
  return {
    number: citation.number,
    chunk_id: citation.chunkId,
    document_id: citation.documentId,
    ...locationJson(where),
    start: citation.start ?? null,
    end: citation.end ?? null,
    text: citation.text,
  };
}

/** A retrieved passage in API responses (numbered as the answer cites them). */
export function passageJson(passage: RetrievedPassage, index: number) {
  const where = locatePassage(passage);
  return {
    number: index + 1,
    id: passage.id,
    document_id: passage.documentId,
    score: passage.score,
    ...locationJson(where),
    text: passage.text,
    metadata: passage.metadata,
    // Rank and score in each retriever before fusion (hybrid search).
    retrievers: passage.sources ?? null,
  };
}

/**
 * The `ragloom` extension field of chat completions: answer mode, whether the documents answered the
 * question (`outcome` 'declined' with `decline_reason` when not), citations and passages.
 */
export function ragloomExtension(
  result: Pick<AskResult, 'mode' | 'citations' | 'passages' | 'outcome' | 'declineReason'>,
) {
  return {
    mode: result.mode,
    outcome: result.outcome,
    decline_reason: result.declineReason ?? null,
    citations: result.citations.map((c) => citationJson(c, result.passages)),
    passages: result.passages.map(passageJson),
  };
}

/** Token usage as OpenAI spells it. */
export const usageJson = (usage: AskResult['usage']) => ({
  prompt_tokens: usage?.promptTokens ?? 0,
  completion_tokens: usage?.completionTokens ?? 0,
  total_tokens: usage?.totalTokens ?? 0,
});
