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
// Translations: notebooks/src/<lang>/<name>.md holds the same notebook's Markdown cells in another
// language, with an empty ```ts fence where each code cell goes. The code cells (and their nbgrader
// metadata) come from the English source, so a translated tutorial runs the same code and checks and
// cannot drift: a translation whose cells do not line up with the English source fails the build.
// It is written to notebooks/<lang>/<name>.ipynb.
//
//   node notebooks/src/build.mjs           rebuild every notebook
//   node notebooks/src/build.mjs --check   exit 1 if a committed .ipynb is out of date
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative } from "node:path";
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

/** The cells of a source: { cell_type, source, nbgrader? } in order. */
export function parseCells(source, where) {
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
      cells.push({ cell_type: "code", source: code.join("\n").trim(), nbgrader: fence[1] ? nbgrader(fence[1], `${where} line ${line}`) : undefined });
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
  return cells;
}

/** A translation's cells: its Markdown, and the English source's code where its empty ```ts fences stand. */
export function translateCells(english, translation, file) {
  const translated = parseCells(translation, file);
  const shape = (cells) => cells.map((c) => (c.cell_type === "code" ? "code" : "md")).join(" ");
  if (shape(english) !== shape(translated)) {
    throw new Error(
      `${file} does not line up with its English source: cells are\n  English:     ${shape(english)}\n  translation: ${shape(translated)}\n` +
        "Each English Markdown cell needs one translated cell, and each code cell an empty ```ts fence at the same place.",
    );
  }
  translated.forEach((cell, n) => {
    if (cell.cell_type === "code" && (cell.source !== "" || cell.nbgrader)) {
      throw new Error(`${file}: code cell ${n + 1} must be an empty \`\`\`ts fence (its code and metadata come from the English source)`);
    }
  });
  return english.map((cell, n) => (cell.cell_type === "code" ? cell : translated[n]));
}

export function build(source, name, translation) {
  const english = parseCells(source, `${name}.md`);
  const cells = translation === undefined ? english : translateCells(english, translation.text, translation.file);
  const idName = translation === undefined ? name : `${name}-${translation.lang}`;
  const notebook = {
    cells: cells.map((c, n) => ({
      cell_type: c.cell_type,
      ...(c.cell_type === "code" ? { execution_count: null } : {}),
      id: `${idName.replace(/[^a-zA-Z0-9-_]/g, "-").slice(0, 50)}-${n + 1}`,
      metadata: c.nbgrader ? { nbgrader: c.nbgrader } : {},
      ...(c.cell_type === "code" ? { outputs: [] } : {}),
      source: lines(c.source),
    })),
    metadata: {
      kernelspec: { display_name: "Glassbox (TypeScript)", language: "typescript", name: "glassbox" },
      language_info: { file_extension: ".ts", mimetype: "text/typescript", name: "typescript" },
      ...(translation === undefined ? {} : { glassbox: { language: translation.lang } }),
    },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return `${JSON.stringify(notebook, null, 1)}\n`;
}

const check = process.argv.includes("--check");
let stale = 0;
let broken = 0;

function emit(outPath, text, sourcePath) {
  const shown = relative(dirname(outDir), outPath);
  const current = existsSync(outPath) ? readFileSync(outPath, "utf8") : "";
  if (current === text) return;
  if (check) {
    process.stderr.write(`${shown} is out of date with ${relative(dirname(outDir), sourcePath)}; run: node notebooks/src/build.mjs\n`);
    stale++;
  } else {
    mkdirSync(dirname(outPath), { recursive: true });
    writeFileSync(outPath, text);
    process.stdout.write(`wrote ${shown}\n`);
  }
}

const sources = readdirSync(srcDir).filter((f) => f.endsWith(".md")).sort();
for (const file of sources) {
  const name = basename(file, ".md");
  const english = readFileSync(join(srcDir, file), "utf8");
  emit(join(outDir, `${name}.ipynb`), build(english, name), join(srcDir, file));
  for (const lang of readdirSync(srcDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort()) {
    const translated = join(srcDir, lang, file);
    if (!existsSync(translated)) continue;
    try {
      emit(join(outDir, lang, `${name}.ipynb`), build(english, name, { lang, file: relative(dirname(outDir), translated), text: readFileSync(translated, "utf8") }), translated);
    } catch (e) {
      process.stderr.write(`${e.message}\n`);
      broken++;
    }
  }
}
process.exit(stale || broken ? 1 : 0);
