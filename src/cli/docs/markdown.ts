/** The two pieces of docs/config.md that numapol.yaml(5) reuses: its first example and its units table. */

/** The body of the first fenced block in `lang` (```yaml), or undefined. */
export function firstCodeBlock(markdown: string, lang: string): string | undefined {
  const m = new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'm').exec(markdown);
  return m?.[1]?.replace(/\n$/, '');
}

/** Cells of a table row ("| a | b |"): a `\|` inside a cell is a literal bar. */
function cells(row: string): string[] {
  const inner = row.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((c) => c.trim().replace(/\\\|/g, '|'));
}

/** The rows (header and separator left out) of the first table under the heading `title`. */
export function tableUnder(markdown: string, title: string): string[][] {
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => /^#+\s/.test(l) && l.replace(/^#+\s+/, '').trim() === title);
  if (at < 0) return [];
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(at + 1)) {
    if (/^#+\s/.test(line)) break;
    if (line.trimStart().startsWith('|')) {
      inTable = true;
      rows.push(cells(line));
    } else if (inTable) break;
  }
  // Header row, then the |---|---| row.
  return rows.slice(2);
}
