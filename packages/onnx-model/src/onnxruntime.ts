// Adapters build tensors with the same onnxruntime-node copy that created the session.
export { InferenceSession, Tensor } from 'onnxruntime-node';
