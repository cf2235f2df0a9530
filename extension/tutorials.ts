/** Helpers of the Open Tutorial command that need no editor (tested with node). */

/** The first Markdown heading of a notebook, else its file name without extension. */
export function tutorialTitle(notebookJson: string, file: string): string {
  const fallback = file.replace(/\.ipynb$/, "").replace(/[-_]+/g, " ");
  try {
    const nb = JSON.parse(notebookJson) as { cells?: { cell_type?: string; source?: string | string[] }[] };
    for (const cell of nb.cells ?? []) {
      if (cell.cell_type !== "markdown") continue;
      const source = Array.isArray(cell.source) ? cell.source.join("") : (cell.source ?? "");
      const heading = /^#{1,3}\s+(.+)$/m.exec(source);
      if (heading) return heading[1].trim();
    }
  } catch {
    // An unreadable notebook still gets listed under its file name.
  }
  return fallback;
}

/** `name.ipynb`, or `name-2.ipynb`, `name-3.ipynb`… when taken, so a copy never overwrites the user's work. */
export function uniqueName(file: string, taken: Set<string>): string {
  if (!taken.has(file)) return file;
  const stem = file.replace(/\.ipynb$/, "");
  for (let i = 2; ; i++) {
    const candidate = `${stem}-${i}.ipynb`;
    if (!taken.has(candidate)) return candidate;
  }
}

/** Where Open Tutorial puts copies, inside the workspace; its sibling samples/ gets their data. */
export const TUTORIALS_FOLDER = "glassbox-tutorials";

/**
 * The languages the shipped tutorials are written in: where they are (under notebooks/), their name
 * in that language, and the workspace folder their copies go to (a sibling of samples/, so the
 * tutorials' ../samples/ paths work in every language).
 */
export const TUTORIAL_LANGUAGES = [
  { lang: "en", name: "English", folder: "", target: TUTORIALS_FOLDER },
  { lang: "zh-CN", name: "简体中文", folder: "zh-CN", target: `${TUTORIALS_FOLDER}-zh-CN` },
] as const;

/** The files under ../samples/ that a notebook refers to (its data), by name. */
export function sampleFiles(notebookJson: string): string[] {
  const names = new Set<string>();
  for (const m of notebookJson.matchAll(/\.\.\/samples\/([\w.-]+)/g)) names.add(m[1]);
  return [...names].sort();
}
