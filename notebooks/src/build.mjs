#!/usr/bin/env node
// Builds notebooks/<name>.ipynb from notebooks/src/<name>.md, so that the tutorials are written and
// reviewed as plain text. In a source file, every ```ts fence is a code cell and the Markdown
// between fences is a Markdown cell (other fences, e.g. ```text, stay inside the Markdown).
// Cell ids are stable (<name>-<n>), so rebuilding an unchanged source changes nothing.
//
//   node notebooks/src/build.mjs           rebuild every notebook
//   node notebooks/src/build.mjs --check   exit 1 if a committed .ipynb is out of date
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const srcDir = dirname(fileURLToPath(import.meta.url));
const outDir = dirname(srcDir);

function lines(text) {
  const parts = text.split(/(?<=\n)/);
  if (parts.length && parts[parts.length - 1].endsWith("\n")) parts[parts.length - 1] = parts[parts.length - 1].slice(0, -1);
  return parts.filter((p, i) => !(i === parts.length - 1 && p === ""));
}

export function build(source, name) {
  const cells = [];
  let md = [];
  const flushMd = () => {
    const text = md.join("\n").trim();
    if (text) cells.push({ cell_type: "markdown", source: text });
    md = [];
  };
  const all = source.replace(/\r\n?/g, "\n").split("\n");
  for (let i = 0; i < all.length; i++) {
    if (/^```ts\s*$/.test(all[i])) {
      flushMd();
      const code = [];
      for (i++; i < all.length && !/^```\s*$/.test(all[i]); i++) code.push(all[i]);
      cells.push({ cell_type: "code", source: code.join("\n").trim() });
    } else {
      md.push(all[i]);
      // Other fences pass through whole, so a ```ts inside them is not taken as a cell.
      if (/^```\w*\s*$/.test(all[i])) {
        for (i++; i < all.length; i++) {
          md.push(all[i]);
          if (/^```\s*$/.test(all[i])) break;
        }
      }
    }
  }
  flushMd();
  const notebook = {
    cells: cells.map((c, n) => ({
      cell_type: c.cell_type,
      ...(c.cell_type === "code" ? { execution_count: null } : {}),
      id: `${name.replace(/[^a-zA-Z0-9-_]/g, "-").slice(0, 50)}-${n + 1}`,
      metadata: {},
      ...(c.cell_type === "code" ? { outputs: [] } : {}),
      source: lines(c.source),
    })),
    metadata: {
      kernelspec: { display_name: "Glassbox (TypeScript)", language: "typescript", name: "glassbox" },
      language_info: { file_extension: ".ts", mimetype: "text/typescript", name: "typescript" },
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

const check = process.argv.includes("--check");
let stale = 0;
for (const file of readdirSync(srcDir).filter((f) => f.endsWith(".md")).sort()) {
  const name = basename(file, ".md");
  const out = join(outDir, `${name}.ipynb`);
  const text = build(readFileSync(join(srcDir, file), "utf8"), name);
  const current = existsSync(out) ? readFileSync(out, "utf8") : "";
  if (current === text) continue;
  if (check) {
    process.stderr.write(`notebooks/${name}.ipynb is out of date with notebooks/src/${file}; run: node notebooks/src/build.mjs\n`);
    stale++;
  } else {
    writeFileSync(out, text);
    process.stdout.write(`wrote notebooks/${name}.ipynb\n`);
  }
}
process.exit(stale ? 1 : 0);
