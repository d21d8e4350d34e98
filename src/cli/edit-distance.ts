/**
 * Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours each
 * cost 1, so the usual typos (`crate`, `qsoew`, `verfy`) are one or two edits from the word meant.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const cost: number[] = new Array<number>(rows * columns).fill(0);
  const at = (row: number, column: number): number => cost[row * columns + column] as number;
  for (let row = 0; row < rows; row += 1) cost[row * columns] = row;
  for (let column = 0; column < columns; column += 1) cost[column] = column;
  for (let row = 1; row < rows; row += 1) {
    for (let column = 1; column < columns; column += 1) {
      const same = a[row - 1] === b[column - 1] ? 0 : 1;
      let best = Math.min(at(row - 1, column) + 1, at(row, column - 1) + 1, at(row - 1, column - 1) + same);
      if (row > 1 && column > 1 && a[row - 1] === b[column - 2] && a[row - 2] === b[column - 1]) {
        best = Math.min(best, at(row - 2, column - 2) + 1);
      }
      cost[row * columns + column] = best;
    }
  }
  return at(rows - 1, columns - 1);
}

/** The candidates nearest to `word`, if near enough to be a typo of it (about a third of its letters). */
export function closestWords(word: string, candidates: readonly string[]): string[] {
  const limit = Math.max(1, Math.min(3, Math.floor(word.length / 3)));
  let best = Infinity;
  let found: string[] = [];
  for (const candidate of new Set(candidates)) {
    const distance = editDistance(word.toLowerCase(), candidate);
    if (distance > limit || distance > best) continue;
    if (distance < best) found = [];
    best = distance;
    found.push(candidate);
  }
  return found;
}
