import { RagloomError } from '@ragloom/core';
import type { IndexSetWriter } from '../index-set/index-set-writer.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';

/** The runtime's index set writer; a runtime opened for reading cannot write. */
export function requireWriter(runtime: RagloomRuntime, what: string): IndexSetWriter {
  const writer = runtime.indexSet.writer;
  if (!writer) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${what} writes to the index set, so the runtime must be its writer: open it with ` +
        "openRuntime(config, { access: 'write' })",
    );
  }
  return writer;
}
