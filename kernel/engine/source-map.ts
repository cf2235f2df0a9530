/** Decodes the `mappings` of a standard source map, enough to map a generated line:column back. */

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

interface Segment {
  column: number;
  sourceLine: number;
  sourceColumn: number;
}

export class SourceMap {
  private readonly lines: Segment[][] = [];

  constructor(json: string) {
    let mappings = "";
    try {
      mappings = (JSON.parse(json) as { mappings?: string }).mappings ?? "";
    } catch {
      return;
    }
    let sourceLine = 0;
    let sourceColumn = 0;
    let sourceIndex = 0;
    for (const line of mappings.split(";")) {
      const segments: Segment[] = [];
      let column = 0;
      for (const segment of line.split(",")) {
        if (!segment) continue;
        const values = decodeVlq(segment);
        column += values[0];
        if (values.length >= 4) {
          sourceIndex += values[1];
          sourceLine += values[2];
          sourceColumn += values[3];
          segments.push({ column, sourceLine, sourceColumn });
        }
      }
      this.lines.push(segments);
    }
    void sourceIndex;
  }

  /** 1-based in, 1-based out; undefined when the position has no mapping. */
  original(line: number, column: number): { line: number; column: number } | undefined {
    const segments = this.lines[line - 1];
    if (!segments?.length) return undefined;
    let best = segments[0];
    for (const s of segments) if (s.column <= column - 1) best = s;
    return { line: best.sourceLine + 1, column: best.sourceColumn + 1 + Math.max(0, column - 1 - best.column) };
  }
}

function decodeVlq(segment: string): number[] {
  const values: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = DIGIT.get(char);
    if (digit === undefined) break;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      values.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return values;
}
