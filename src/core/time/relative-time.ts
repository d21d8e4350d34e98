import { isPlausibleSeconds } from './duration.js';

const STEPS: readonly [number, string][] = [
  [31_536_000, 'year'],
  [86_400, 'day'],
  [3600, 'hour'],
  [60, 'min'],
  [1, 's'],
];

/** "in 4 min", "2 days ago", "now": rounded down to the largest whole unit; "out of range" for nonsense. */
export function relativeTime(target: number, now: number): string {
  const delta = target - now;
  if (!isPlausibleSeconds(delta)) return 'out of range';
  if (delta === 0) return 'now';
  const size = Math.abs(delta);
  const [unitSeconds, unit] = STEPS.find(([step]) => size >= step) ?? [1, 's'];
  const count = Math.floor(size / unitSeconds);
  const label = unit === 's' || unit === 'min' ? `${count} ${unit}` : `${count} ${unit}${count === 1 ? '' : 's'}`;
  return delta > 0 ? `in ${label}` : `${label} ago`;
}
