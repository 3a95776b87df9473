/** How the next token is chosen. Temperature 0 means greedy. */
export interface SamplingParams {
  readonly temperature: number;
  /** Keep the k most likely tokens (0 = off). */
  readonly topK: number;
  /** Keep the smallest set of tokens whose probability adds up to at least topP (1 = off). */
  readonly topP: number;
  /** Drop tokens less likely than minP × the most likely one's probability (0 = off). */
  readonly minP: number;
  /** CTRL-style penalty on tokens already in the prompt or output: positive logits ÷ p, negative × p (1 = off). */
  readonly repetitionPenalty: number;
  /** PRNG seed; ignored when greedy. */
  readonly seed: number;
}
