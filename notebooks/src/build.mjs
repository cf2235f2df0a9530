#!/usr/bin/env node
// Builds notebooks/<name>.ipynb from notebooks/src/<name>.md, so that the tutorials are written and
// reviewed as plain text. In a source file, every ```ts fence is a code cell and the Markdown
// between fences is a Markdown cell (other fences, e.g. ```text, stay inside the Markdown).
// Cell ids are stable (<name>-<n>), so rebuilding an unchanged source changes nothing.
//
// Exercises use nbgrader's cell metadata (schema version 3), given on the fence line:
//   ```ts solution ID          an answer cell; its // BEGIN SOLUTION … // END SOLUTION becomes a stub
//   ```ts test ID POINTS       an autograded test cell (read-only; // BEGIN HIDDEN TESTS … hidden)
//   ```ts locked ID            a read-only cell restored from the source when grading
// `glassbox course release notebooks -o DIR` writes the student versions (npm start does too).
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

/** nbgrader metadata from a fence line's words: "solution ID", "test ID POINTS" or "locked ID". */
function nbgrader(words, where) {
  const [kind, id, points, ...rest] = words.split(/\s+/);
  const meta = { grade: false, grade_id: id, locked: false, schema_version: 3, solution: false };
  if (!id || !/^[\w-]+$/.test(id) || rest.length) throw new Error(`${where}: write \`\`\`ts solution ID, \`\`\`ts test ID POINTS or \`\`\`ts locked ID (got "${words}")`);
  if (kind === "solution" && points === undefined) meta.solution = true;
  else if (kind === "locked" && points === undefined) meta.locked = true;
  else if (kind === "test" && Number(points) >= 0) Object.assign(meta, { grade: true, locked: true, points: Number(points) });
  else throw new Error(`${where}: write \`\`\`ts solution ID, \`\`\`ts test ID POINTS or \`\`\`ts locked ID (got "${words}")`);
  return meta;
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
    const fence = /^```ts(?:\s+(.*?))?\s*$/.exec(all[i]);
    if (fence) {
      flushMd();
      const line = i + 1;
      const code = [];
      for (i++; i < all.length && !/^```\s*$/.test(all[i]); i++) code.push(all[i]);
      cells.push({ cell_type: "code", source: code.join("\n").trim(), nbgrader: fence[1] ? nbgrader(fence[1], `${name}.md line ${line}`) : undefined });
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
      metadata: c.nbgrader ? { nbgrader: c.nbgrader } : {},
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
