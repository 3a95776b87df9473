import { InferenceSession, Tensor } from 'onnxruntime-node';
import { tensorToFloat32 } from '../float16.js';

/**
 * The recipe of the model-layouts `reference.json` files, for tests that compare an adapter with a bare
 * onnxruntime-node run: one session run on already padded input ids (pad id 0, `token_type_ids` 0 when the graph
 * takes them), mean pooling over the non-pad tokens in float64, L2 normalisation. float16 outputs are read with
 * `tensorToFloat32`.
 */
export async function bareMeanPooledEmbeddings(
  modelPath: string,
  inputIds: readonly (readonly number[])[],
  options: InferenceSession.SessionOptions = {},
): Promise<number[][]> {
  const session = await InferenceSession.create(modelPath, options);
  try {
    const [batch, width] = [inputIds.length, inputIds[0]?.length ?? 0];
    const int64 = (f: (id: number) => bigint) =>
      new Tensor('int64', BigInt64Array.from(inputIds.flat(), f), [batch, width]);
    const feeds: Record<string, Tensor> = {
      input_ids: int64(BigInt),
      attention_mask: int64((id) => (id === 0 ? 0n : 1n)),
    };
    if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = int64(() => 0n);
    const output = (await session.run(feeds)).last_hidden_state as Tensor;
    const hidden = tensorToFloat32(output, `last_hidden_state of ${modelPath}`);
    const dim = output.dims[2] ?? 0;
    return inputIds.map((row, b) => {
      const mean = new Float64Array(dim);
      row.forEach((id, t) => {
        if (id === 0) return;
        for (let d = 0; d < dim; d++) mean[d]! += hidden[(b * width + t) * dim + d]!;
      });
      const norm = Math.hypot(...mean);
      return Array.from(mean, (x) => x / norm);
    });
  } finally {
    await session.release();
  }
}
