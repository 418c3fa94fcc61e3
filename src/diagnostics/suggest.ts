// Did-you-mean: the candidates closest to a misspelt name by edit distance.

/** Damerau-Levenshtein distance (optimal string alignment), so a swapped pair of letters costs 1. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** Candidates within a third of the name's length (at least 1, at most 3 edits), nearest first. */
export function suggest(name: string, candidates: Iterable<string>, max = 3): string[] {
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  const lower = name.toLowerCase();
  return [...new Set(candidates)]
    // The distance is at least the difference in length: skip far-off lengths (a 1 MB name would take seconds).
    .filter((c) => Math.abs(c.length - name.length) <= limit)
    .map((c) => ({ c, dist: editDistance(lower, c.toLowerCase()) }))
    .filter(({ dist }) => dist <= limit)
    .sort((x, y) => x.dist - y.dist || x.c.localeCompare(y.c))
    .slice(0, max)
    .map(({ c }) => c);
}
