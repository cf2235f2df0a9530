/**
 * The feedback page for one graded submission: one self-contained HTML file (no scripts, no
 * external files) with the score, and for each test its points, what failed and the hint.
 * Everything that comes from a notebook is escaped: students write the messages' inputs.
 */
import { escapeHtml } from "../display/escape";
import type { SubmissionGrade, TestResult } from "./grade";

const STYLE = `
body { font: 15px/1.5 system-ui, sans-serif; color: #1f2328; max-width: 860px; margin: 2rem auto; padding: 0 1rem; }
h1 { font-size: 1.5rem; margin-bottom: .25rem; }
.score { font-size: 1.2rem; margin: 0 0 1.5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; vertical-align: top; padding: .5rem .6rem; border-bottom: 1px solid #d0d7de; }
th { background: #f6f8fa; }
td.points { white-space: nowrap; font-variant-numeric: tabular-nums; }
tr.passed td.status { color: #1a7f37; }
tr.failed td.status { color: #cf222e; }
.message { font-family: ui-monospace, monospace; white-space: pre-wrap; margin: 0; }
.hint { margin: .4rem 0 0; padding: .3rem .6rem; background: #fff8c5; border-left: 3px solid #d4a72c; }
.note { margin: .4rem 0 0; color: #57606a; font-size: .9em; }
`;

function fmt(n: number): string {
  return String(Math.round(n * 100) / 100);
}

function row(t: TestResult): string {
  const ok = t.status === "passed";
  const details = [
    t.message ? `<pre class="message">${escapeHtml(t.message)}</pre>` : "",
    t.hint ? `<p class="hint"><strong>Hint:</strong> ${escapeHtml(t.hint)}</p>` : "",
    t.restored ? `<p class="note">This cell was changed in your notebook; it was graded as the assignment has it.</p>` : "",
  ].join("");
  return `<tr class="${ok ? "passed" : "failed"}" data-grade-id="${escapeHtml(t.gradeId)}">
<td>${escapeHtml(t.gradeId)}</td><td class="points">${fmt(t.points)} / ${fmt(t.maxPoints)}</td><td class="status">${ok ? "✓ passed" : `✗ ${escapeHtml(t.status)}`}</td><td>${details}</td></tr>`;
}

export function renderFeedback(grade: SubmissionGrade, assignment: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Feedback: ${escapeHtml(grade.name)} · ${escapeHtml(assignment)}</title>
<style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(assignment)}: feedback for ${escapeHtml(grade.name)}</h1>
<p class="score">Score: <strong id="total">${fmt(grade.total)}</strong> of <strong id="max-total">${fmt(grade.maxTotal)}</strong> points</p>
<table>
<thead><tr><th>Test</th><th>Points</th><th>Result</th><th>Details</th></tr></thead>
<tbody>
${grade.tests.map(row).join("\n")}
</tbody>
</table>
</body></html>
`;
}
