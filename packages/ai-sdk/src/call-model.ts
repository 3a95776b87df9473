import { type RagloomError, type RetryPolicy, withRetries } from '@ragloom/core';
import { vendorFailure } from '@ragloom/core/adapter';
import { type AiSdkCallContext, toRagloomError } from './ai-sdk-error.js';
import type { AiSdkWarning } from './ai-sdk-model-types.js';
import { retryPolicy, warningText } from './call-options.js';

/** How the encoder and the generator call their model: one context for messages, retries, error mapping, warnings. */
export interface ModelCalls {
  readonly context: AiSdkCallContext;
  /**
   * One model call (`doEmbed`, `doGenerate`, `doStream`) with ragloom's retries in place of the SDK's: a
   * retryable failure (408/409/429/5xx, a dropped connection) is tried again, an abort never.
   */
  call<T>(signal: AbortSignal | undefined, run: () => PromiseLike<T>): Promise<T>;
  /** What a failure becomes: ABORTED when the call was aborted (whatever the provider threw), else its code. */
  failure(error: unknown, signal: AbortSignal | undefined): RagloomError;
  /** Passes the model's warnings to `onWarning`, one line each. */
  warn(warnings: readonly AiSdkWarning[] | undefined): void;
}

export function modelCalls(
  model: { readonly provider: string; readonly modelId: string },
  options: Parameters<typeof retryPolicy>[0] & { readonly onWarning?: (message: string) => void },
  operation: 'embedding' | 'chat generation',
): ModelCalls {
  const context: AiSdkCallContext = { provider: model.provider, modelId: model.modelId, operation };
  const what = operation === 'embedding' ? 'embedding' : 'generation';
  const policy: RetryPolicy = retryPolicy(options);
  const failure = (error: unknown, signal: AbortSignal | undefined) =>
    vendorFailure(error, signal, what, (e) => toRagloomError(e, context));
  return {
    context,
    call: (signal, run) =>
      withRetries(
        policy,
        signal,
        async () => run(),
        (error) => failure(error, signal),
        what,
      ),
    failure,
    warn: (warnings) => {
      for (const warning of warnings ?? []) options.onWarning?.(warningText(warning, context));
    },
  };
}
