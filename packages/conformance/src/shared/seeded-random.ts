import { seededRandom } from '@ragloom/core';

export { seededRandom };

/** A vector with components uniform in [-1, 1). */
export function randomVector(random: () => number, dimension: number): number[] {
  return Array.from({ length: dimension }, () => random() * 2 - 1);
}
