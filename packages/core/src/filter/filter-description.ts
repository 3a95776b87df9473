import type { Filter } from './filter-types.js';

/** Filters the description shows a model, one per feature: equality, a range with $or and $in, $not. */
export const FILTER_EXAMPLES: readonly Filter[] = [
  { documentId: 'guide.md' },
  { year: { $gte: 2020 }, $or: [{ lang: 'en' }, { tags: { $in: ['zh', 'ja'] } }] },
  { $not: { status: 'draft' } },
];

/**
 * The filter grammar in a few lines, for the description of a tool parameter that a language model fills in
 * (the AI SDK tool, the MCP server, LangChain tools): a model that reads it writes filters core accepts.
 */
export const FILTER_GRAMMAR_DESCRIPTION =
  'Optional metadata filter, a Mongo-style JSON object. {"field": value} means equal (on an array field: any ' +
  'element equal); operators: $eq, $ne, $in, $nin (lists), $gt, $gte, $lt, $lte (numbers or ISO-8601 ' +
  'date-times), $exists (true/false); keys of one object are ANDed; combine with $and, $or (lists of filters) ' +
  `and $not (a filter). Examples: ${FILTER_EXAMPLES.map((f) => JSON.stringify(f)).join(', ')}.`;
