// Line starts of a text, found once per file: the scan's parses (tree-sitter wants rows and
// columns for included ranges) and the analysis's spans read the same index.

/** Maps offsets to 1-based lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    const lo = this.lineOf(offset);
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  /** The 0-based row and column of an offset, as tree-sitter counts them. */
  point(offset: number): { row: number; column: number } {
    const lo = this.lineOf(offset);
    return { row: lo, column: offset - this.starts[lo]! };
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? 0;
  }

  /** The 0-based line holding `offset`. */
  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
