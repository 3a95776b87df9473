/**
 * sha256 of well-known ONNX weights, as published in the Git LFS pointers of their Hugging Face repositories
 * (the same values as `shared/assets/tokenizers/WEIGHT_PINS.txt`). A download that does not match is rejected
 * even if the server sends no checksum of its own.
 */
export const WEIGHT_PINS: Readonly<
  Record<string, Readonly<Record<string, { sha256: string; size: number }>>>
> = {
  'Xenova/all-MiniLM-L6-v2': {
    'onnx/model_quantized.onnx': {
      sha256: '2f9a2cd8a5955f62908d5087be47516e9d91849f50579c3e47c73fd2c563b224',
      size: 22868510,
    },
  },
  'Xenova/bge-small-en-v1.5': {
    'onnx/model_quantized.onnx': {
      sha256: '6c9c6101a956d62dfb5e7190c538226c0c5bb9cb27b651234b6df063ee7dbfe4',
      size: 34014426,
    },
  },
  'Xenova/e5-small-v2': {
    'onnx/model_quantized.onnx': {
      sha256: '7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded',
      size: 34014367,
    },
  },
};

/** The pinned sha256 of a file in a repository, if pinned. */
export function pinnedSha256(repoId: string, path: string): string | undefined {
  return WEIGHT_PINS[repoId]?.[path]?.sha256;
}
