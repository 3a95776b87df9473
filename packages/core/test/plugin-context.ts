import type { PluginContextV1 } from '../src/index.js';

/** The context a host passes a plugin factory, as plain data (core cannot use @ragloom/conformance's). */
export const pluginContext = (extra: Partial<PluginContextV1> = {}): PluginContextV1 => ({
  kind: 'retriever',
  name: 'dense',
  configDir: '/tmp',
  storageDir: '/tmp/dense',
  resolveModel: (ref) => ref,
  hub: { offline: true },
  log: () => {},
  ...extra,
});
