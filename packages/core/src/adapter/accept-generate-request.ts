import { validateGenerateRequest } from '../generator/validate-generate-request.js';
import type { GenerateRequest } from '../spec/generator-v1.js';
import { throwIfAborted } from '../util/abort.js';

/**
 * What every generator does before any work: checks the request (INVALID_ARGUMENT naming the field) and
 * refuses it with ABORTED when its signal has already fired.
 */
export function acceptGenerateRequest(request: GenerateRequest): void {
  validateGenerateRequest(request);
  throwIfAborted(request.signal, 'generation');
}
