/** Terminal text as Jupyter front ends show it: colour codes removed, \r and \b applied. */

/** Removes terminal colour codes (tracebacks from the kernel carry them). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, "");
}

/** Applies \r (return to line start) and \b the way a terminal would, so progress lines overwrite. */
export function applyControlChars(text: string): string {
  if (!text.includes("\r") && !text.includes("\b")) return text;
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  return lines
    .map((line) => {
      let out = "";
      for (const segment of line.split("\r")) {
        let seg = "";
        for (const ch of segment) seg = ch === "\b" ? seg.slice(0, -1) : seg + ch;
        // A carriage return starts over; text past the new segment's end stays, as on a terminal.
        out = seg + out.slice(seg.length);
      }
      return out;
    })
    .join("\n");
}
