/**
 * The one HTML escape (kernel, report and renderers): text for element content and quoted
 * attribute values. No imports, so the browser bundles may use it too.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${({ "&": "amp", "<": "lt", ">": "gt", '"': "quot", "'": "#39" } as Record<string, string>)[c]};`);
}
