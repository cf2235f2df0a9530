/**
 * A small, safe Markdown renderer for reports: the subset notebooks use (headings, paragraphs,
 * emphasis, code, fenced blocks, lists, block quotes, tables, links, images, rules). Everything
 * from the text is escaped; raw HTML is shown as text, and links only keep safe URL schemes, so a
 * notebook cannot inject script into the report.
 */

import { escapeHtml } from "../display/escape";

/** Keeps http(s), mailto, in-page anchors, relative paths and data:image URLs; everything else becomes "#". */
export function safeUrl(url: string): string {
  const u = url.trim();
  if (/^(https?:|mailto:|#|\.{0,2}\/|data:image\/(png|jpeg|gif|webp);)/i.test(u)) return u;
  if (!/^[a-z][a-z0-9+.-]*:/i.test(u)) return u; // relative without a scheme
  return "#";
}

function inline(text: string): string {
  // Code spans first, kept aside so that their content is not formatted.
  const codes: string[] = [];
  let s = text.replace(/(`+)([\s\S]*?[^`])\1(?!`)/g, (_, __, code: string) => {
    codes.push(`<code>${escapeHtml(code.trim() === "" ? code : code.replace(/^ (.*) $/, "$1"))}</code>`);
    return `\u0000${codes.length - 1}\u0000`;
  });
  s = escapeHtml(s);
  s = s.replace(/!\[([^\]]*)\]\(([^)\s]+)(?:\s+&quot;[^)]*&quot;)?\)/g, (_, alt: string, url: string) => `<img alt="${alt}" src="${escapeHtml(safeUrl(unescapeAmp(url)))}">`);
  s = s.replace(/\[([^\]]+)\]\(([^)\s]+)(?:\s+&quot;[^)]*&quot;)?\)/g, (_, label: string, url: string) => `<a href="${escapeHtml(safeUrl(unescapeAmp(url)))}">${label}</a>`);
  s = s.replace(/\*\*([^*]+?)\*\*|__([^_]+?)__/g, (_, a?: string, b?: string) => `<strong>${a ?? b}</strong>`);
  s = s.replace(/(^|[^*\w])\*([^*\s][^*]*?)\*(?!\*)|(^|[^_\w])_([^_\s][^_]*?)_(?![_\w])/g, (_, p1?: string, a?: string, p2?: string, b?: string) =>
    a !== undefined ? `${p1}<em>${a}</em>` : `${p2}<em>${b}</em>`,
  );
  s = s.replace(/~~([^~]+)~~/g, "<del>$1</del>");
  s = s.replace(/ {2,}\n|\\\n/g, "<br>\n");
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => codes[Number(i)]);
}

function unescapeAmp(s: string): string {
  return s.replace(/&amp;/g, "&").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">");
}

function splitRow(line: string): string[] {
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, "|"));
}

const LIST_ITEM = /^(\s*)([-*+]|\d+[.)])\s+(.*)$/;

function renderList(lines: string[], start: number): { html: string; next: number } {
  const first = LIST_ITEM.exec(lines[start])!;
  const indent = first[1].length;
  const ordered = /\d/.test(first[2]);
  const startNum = ordered ? parseInt(first[2], 10) : 1;
  const items: string[] = [];
  let i = start;
  while (i < lines.length) {
    const m = LIST_ITEM.exec(lines[i]);
    if (!m || m[1].length !== indent || /\d/.test(m[2]) !== ordered) break;
    let body = m[3];
    i++;
    let nested = "";
    // Continuation lines (indented deeper) and nested lists belong to this item.
    while (i < lines.length && lines[i].trim() !== "") {
      const sub = LIST_ITEM.exec(lines[i]);
      if (sub && sub[1].length > indent) {
        const r = renderList(lines, i);
        nested += r.html;
        i = r.next;
        continue;
      }
      if (sub || !/^\s/.test(lines[i])) break;
      body += `\n${lines[i].trim()}`;
      i++;
    }
    items.push(`<li>${inline(body)}${nested}</li>`);
    // One blank line between items of the same list keeps the list going.
    if (i + 1 < lines.length && lines[i]?.trim() === "" && LIST_ITEM.exec(lines[i + 1])?.[1].length === indent) i++;
  }
  const tag = ordered ? "ol" : "ul";
  const attr = ordered && startNum !== 1 ? ` start="${startNum}"` : "";
  return { html: `<${tag}${attr}>${items.join("")}</${tag}>`, next: i };
}

export function renderMarkdown(markdown: string): string {
  const lines = markdown.replace(/\r\n?/g, "\n").split("\n");
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === "") {
      i++;
      continue;
    }
    const fence = /^\s*(```+|~~~+)\s*([\w+-]*)/.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !lines[i].trim().startsWith(fence[1])) body.push(lines[i++]);
      i++;
      const lang = fence[2] ? ` class="language-${escapeHtml(fence[2])}"` : "";
      out.push(`<pre><code${lang}>${escapeHtml(body.join("\n"))}</code></pre>`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(line);
    if (heading) {
      const level = heading[1].length;
      const id = heading[2].toLowerCase().replace(/[^\w]+/g, "-").replace(/^-|-$/g, "");
      out.push(`<h${level} id="${escapeHtml(id)}">${inline(heading[2])}</h${level}>`);
      i++;
      continue;
    }
    if (/^\s*([-*_])(\s*\1){2,}\s*$/.test(line)) {
      out.push("<hr>");
      i++;
      continue;
    }
    if (/^\s*>/.test(line)) {
      const body: string[] = [];
      while (i < lines.length && /^\s*>/.test(lines[i])) body.push(lines[i++].replace(/^\s*>\s?/, ""));
      out.push(`<blockquote>${renderMarkdown(body.join("\n"))}</blockquote>`);
      continue;
    }
    if (LIST_ITEM.test(line)) {
      const r = renderList(lines, i);
      out.push(r.html);
      i = r.next;
      continue;
    }
    if (line.includes("|") && i + 1 < lines.length && /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/.test(lines[i + 1])) {
      const head = splitRow(line);
      const aligns = splitRow(lines[i + 1]).map((c) => (c.startsWith(":") && c.endsWith(":") ? "center" : c.endsWith(":") ? "right" : c.startsWith(":") ? "left" : ""));
      const style = (k: number) => (aligns[k] ? ` style="text-align:${aligns[k]}"` : "");
      i += 2;
      const rows: string[] = [];
      while (i < lines.length && lines[i].includes("|") && lines[i].trim() !== "") {
        rows.push(`<tr>${splitRow(lines[i]).map((c, k) => `<td${style(k)}>${inline(c)}</td>`).join("")}</tr>`);
        i++;
      }
      out.push(`<table><thead><tr>${head.map((c, k) => `<th${style(k)}>${inline(c)}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`);
      continue;
    }
    const para: string[] = [];
    while (
      i < lines.length &&
      lines[i].trim() !== "" &&
      !/^\s*(```|~~~|#{1,6}\s|>)/.test(lines[i]) &&
      !(para.length > 0 && LIST_ITEM.test(lines[i]))
    ) {
      para.push(lines[i++]);
    }
    out.push(`<p>${inline(para.join("\n"))}</p>`);
  }
  return out.join("\n");
}
