export { benchArgs } from './bench-args.js';
export { fixed, printTable } from './print-table.js';
export { median } from './stats.js';
