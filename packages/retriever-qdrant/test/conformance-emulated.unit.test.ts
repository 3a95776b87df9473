import { describeRetrieverConformance } from '@ragloom/conformance';
import { createQdrantRetriever } from '../src/index.js';
import { createInMemoryQdrant } from './support/in-memory-qdrant.js';

// Unit test, not an integration test: the full Retriever conformance suite run through this
// package against an in-memory double of the Qdrant client that models Qdrant's documented filter,
// distance and paging behaviour (test/support/in-memory-qdrant.ts). It checks the translation,
// id mapping, batching, tie handling and score conversion end to end; whether real Qdrant behaves
// like the double is what test/qdrant.integration.test.ts checks when QDRANT_URL is set.
const qdrant = createInMemoryQdrant();

describeRetrieverConformance({
  name: 'qdrant (unit, in-memory Qdrant double)',
  query: 'vector',
  create: ({ manifest, id }) =>
    createQdrantRetriever({ client: qdrant.client, collection: id, ...manifest!, batchSize: 16 }),
  destroy: async (retriever) => {
    await (retriever as ReturnType<typeof createQdrantRetriever>).dropCollection();
  },
  reopen: async (retriever, { manifest, id }) => {
    await retriever.save?.();
    return createQdrantRetriever({
      client: qdrant.client,
      collection: id,
      ...manifest!,
      createCollection: false,
    });
  },
});
