import type { ComponentKind } from '@ragloom/core';

// The plugin contract (RagloomPluginV1, PluginContextV1, ComponentFactoryV1, StandardSchemaV1) is part of
// @ragloom/core's spec; the app only needs the list of kinds at run time.
export const COMPONENT_KINDS: readonly ComponentKind[] = ['encoder', 'retriever', 'reranker', 'generator'];
