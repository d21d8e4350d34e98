/**
 * Used `jti` values, each remembered until its token's exp (after which the token is refused as
 * expired anyway), at most `capacity` at a time: past the cap the entry closest to expiry is dropped
 * first, so a flood of tokens cannot exhaust memory. Plain data; the clock is passed in (seconds).
 */
export interface JtiRegistry {
  /** jti → exp (Unix seconds). Insertion order is kept; pruning scans it. */
  used: Map<string, number>;
  capacity: number;
}

export function createJtiRegistry(capacity: number): JtiRegistry {
  return { used: new Map(), capacity };
}

export function pruneJtis(registry: JtiRegistry, nowSeconds: number): void {
  for (const [jti, exp] of registry.used) if (exp <= nowSeconds) registry.used.delete(jti);
}

/** Records a jti; false when it was already used (and is still remembered). */
export function useJti(registry: JtiRegistry, jti: string, exp: number, nowSeconds: number): boolean {
  const known = registry.used.get(jti);
  if (known !== undefined && known > nowSeconds) return false;
  if (registry.used.size >= registry.capacity) pruneJtis(registry, nowSeconds);
  while (registry.used.size >= registry.capacity) {
    let soonest: string | undefined;
    let soonestExp = Infinity;
    for (const [candidate, candidateExp] of registry.used) {
      if (candidateExp < soonestExp) {
        soonest = candidate;
        soonestExp = candidateExp;
      }
    }
    if (soonest === undefined) break;
    registry.used.delete(soonest);
  }
  registry.used.set(jti, exp);
  return true;
}
