/**
 * Superpixels for image explanations: a small SLIC (k-means on colour + position, searched in a
 * 2S window around each centre), so LIME and the Shapley methods can switch coherent regions on and
 * off instead of grid patches. Colours are min–max scaled to [0, 1] first.
 */

/** Segment id (0..M−1) per pixel of an H×W×C image (row-major, channels last). */
export function slic(pixels: ArrayLike<number>, height: number, width: number, channels: number, segments: number, compactness = 0.2, iterations = 8): Int32Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < pixels.length; i++) [lo, hi] = [Math.min(lo, pixels[i]), Math.max(hi, pixels[i])];
  const range = hi > lo ? hi - lo : 1;
  const colour = (p: number, c: number) => (pixels[p * channels + c] - lo) / range;
  const step = Math.max(1, Math.sqrt((height * width) / Math.max(1, segments)));
  // Centres on a regular grid: [y, x, colour...].
  const centres: number[][] = [];
  for (let y = step / 2; y < height; y += step) {
    for (let x = step / 2; x < width; x += step) {
      const p = Math.floor(y) * width + Math.floor(x);
      centres.push([y, x, ...Array.from({ length: channels }, (_, c) => colour(p, c))]);
    }
  }
  const labels = new Int32Array(height * width).fill(-1);
  const best = new Float64Array(height * width);
  const weight = (compactness / step) ** 2;
  for (let it = 0; it < iterations; it++) {
    best.fill(Infinity);
    centres.forEach((centre, k) => {
      const [cy, cx] = centre;
      for (let y = Math.max(0, Math.floor(cy - step)); y < Math.min(height, Math.ceil(cy + step + 1)); y++) {
        for (let x = Math.max(0, Math.floor(cx - step)); x < Math.min(width, Math.ceil(cx + step + 1)); x++) {
          const p = y * width + x;
          let dc = 0;
          for (let c = 0; c < channels; c++) dc += (colour(p, c) - centre[2 + c]) ** 2;
          const d = dc + weight * ((y - cy) ** 2 + (x - cx) ** 2);
          if (d < best[p]) {
            best[p] = d;
            labels[p] = k;
          }
        }
      }
    });
    const sums = centres.map(() => new Float64Array(2 + channels + 1));
    for (let p = 0; p < labels.length; p++) {
      const s = sums[labels[p]];
      s[0] += Math.floor(p / width);
      s[1] += p % width;
      for (let c = 0; c < channels; c++) s[2 + c] += colour(p, c);
      s[2 + channels] += 1;
    }
    sums.forEach((s, k) => {
      const count = s[2 + channels];
      if (count > 0) for (let j = 0; j < 2 + channels; j++) centres[k][j] = s[j] / count;
    });
  }
  // Renumber the segments that kept pixels as 0..M−1.
  const ids = new Map<number, number>();
  return labels.map((l) => {
    if (!ids.has(l)) ids.set(l, ids.size);
    return ids.get(l) as number;
  });
}
