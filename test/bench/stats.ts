/** The benchmark's small shared helpers: percentiles and how figures are printed. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
export const pct = (xs: number[], p: number) => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
};
export const ms = (x: number) => (Number.isFinite(x) ? (x < 10 ? `${x.toFixed(1)} ms` : `${Math.round(x)} ms`) : 'n/a');
export const int = (x: number) => Math.round(x).toLocaleString('en-US');
