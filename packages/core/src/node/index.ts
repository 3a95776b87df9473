// Node-only helpers (they use node:fs), kept out of the main entry so @ragloom/core stays browser-safe.
export { writeFileAtomic } from './write-file-atomic.js';
