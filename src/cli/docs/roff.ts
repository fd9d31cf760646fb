/**
 * Writing man(7) pages: text escaped for roff and the few macros the pages use. Text never starts
 * a line with a control character, every backslash and minus is escaped, and characters beyond
 * ASCII become groff's \[uXXXX], so `groff -man -ww` reads the pages without a warning whatever
 * the descriptions hold.
 */

/** ASCII for characters a groff device may lack (PostScript fonts have no arrows, superscripts...). */
const ASCII: Readonly<Record<string, string>> = {
  '\u2192': '->',
  '\u2190': '<-',
  '\u2194': '<->',
  '\u2026': '...',
  '\u201C': '"',
  '\u201D': '"',
  '\u2018': "'",
  '\u2019': "'",
  '\u2013': '-',
  '\u2014': '--',
  '\u00D7': 'x',
  '\u00B7': '.',
  '\u2264': '<=',
  '\u2265': '>=',
  '\u2248': '~',
  '\u00A0': ' ',
};

/** What a device without the glyph prints instead: the table's, a superscript as ^N, else the letter under the accent, else '?'. */
export function asciiFallback(ch: string): string {
  const t = ASCII[ch];
  if (t !== undefined) return t;
  const decomposed = ch.normalize('NFKD');
  // NFKD turns superscripts into plain digits: keep them apart from the digit before.
  if (/^[0-9]$/.test(decomposed) && ch !== decomposed) return `^${decomposed}`;
  const plain = decomposed.replace(/[^\x20-\x7e]/g, '');
  return plain === '' ? '?' : plain;
}

/** Text as roff prints it literally (not at the start of a request's arguments: see `arg`). */
export function escapeText(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\e';
    // A minus for options and code: man-pages(7) asks for \- so that --json can be copied.
    else if (ch === '-') out += '\\-';
    else if (ch === '\t') out += ' ';
    else if (code < 0x20 || code === 0x7f) out += ' ';
    else if (code > 0x7e) out += `\\[u${code.toString(16).toUpperCase().padStart(4, '0')}]`;
    else out += ch;
  }
  return out;
}

/** One line of running text: escaped, and safe at the start of a line ('.' and "'" begin requests there). */
export function textLine(text: string): string {
  const t = escapeText(text.trim().replace(/\s+/g, ' '));
  return /^[.']/.test(t) ? `\\&${t}` : t;
}

/** A macro argument: escaped and in double quotes (a quote inside one is \(dq). */
export function arg(text: string): string {
  return `"${escapeText(text).replace(/"/g, '\\(dq')}"`;
}

export const bold = (text: string): string => `\\fB${escapeText(text)}\\fR`;
export const italic = (text: string): string => `\\fI${escapeText(text)}\\fR`;

/**
 * Inline markdown as roff: `code` and **strong** bold, *emphasis* italic, [text](url) its text.
 * What the schema's descriptions and docs/config.md use; anything else is plain text.
 */
export function inlineMarkdown(text: string): string {
  const parts: string[] = [];
  const re = /`([^`]+)`|\*\*([^*]+)\*\*|\*([^*\s][^*]*)\*|\[([^\]]+)\]\([^)]*\)/g;
  let at = 0;
  for (const m of text.matchAll(re)) {
    parts.push(escapeText(text.slice(at, m.index)));
    if (m[1] !== undefined) parts.push(bold(m[1]));
    else if (m[2] !== undefined) parts.push(bold(m[2]));
    else if (m[3] !== undefined) parts.push(italic(m[3]));
    else parts.push(escapeText(m[4]!));
    at = m.index + m[0].length;
  }
  parts.push(escapeText(text.slice(at)));
  const line = parts.join('').trim().replace(/\s+/g, ' ');
  return /^[.']/.test(line) ? `\\&${line}` : line;
}

/** A page being written: requests and text lines, joined at the end. */
export class Page {
  private readonly lines: string[] = [];

  /** `.TH`: title (upper case by convention), section, date, source (package and version), manual. */
  constructor(title: string, section: string, opts: { date?: string; source: string; manual: string }) {
    // Left-aligned and unhyphenated: option and field names stay whole and copyable.
    this.lines.push(`.TH ${arg(title)} ${arg(section)} ${arg(opts.date ?? '')} ${arg(opts.source)} ${arg(opts.manual)}`, '.nh', '.ad l');
  }

  section(name: string): this {
    this.lines.push(`.SH ${arg(name.toUpperCase())}`);
    return this;
  }

  subsection(name: string): this {
    this.lines.push(`.SS ${arg(name)}`);
    return this;
  }

  /** A paragraph of running text (filled by roff). */
  paragraph(text: string): this {
    if (text.trim() === '') return this;
    this.lines.push('.PP', textLine(text));
    return this;
  }

  /** A paragraph already in roff (from `bold`, `inlineMarkdown`...), one line. */
  raw(line: string): this {
    if (line !== '') this.lines.push(/^[.']/.test(line) ? `\\&${line}` : line);
    return this;
  }

  /** A request line as written (`.PP`, `.RS 4`...). */
  request(line: string): this {
    this.lines.push(line);
    return this;
  }

  /** A tagged paragraph: `tag` (roff already) then the text (roff already) indented under it. */
  tagged(tag: string, body: string): this {
    this.lines.push('.TP', tag.startsWith('.') ? `\\&${tag}` : tag, body === '' ? '\\&' : body.startsWith('.') ? `\\&${body}` : body);
    return this;
  }

  /** Lines shown as written (examples, tables in text). */
  preformatted(lines: readonly string[]): this {
    this.lines.push('.PP', '.RS 4', '.nf', ...lines.map((l) => `\\&${escapeText(l)}`), '.fi', '.RE');
    return this;
  }

  /**
   * The page. Every character beyond ASCII it uses gets an ASCII fallback for devices that lack
   * its glyph (`.if !c`): a UTF-8 terminal shows the character, PostScript and ASCII the fallback.
   */
  toString(): string {
    const body = this.lines.slice(1).join('\n');
    const codes = [...new Set([...body.matchAll(/\\\[u([0-9A-F]{4,6})\]/g)].map((m) => m[1]!))].sort();
    const fallbacks = codes.map((c) => `.if !c\\[u${c}] .char \\[u${c}] ${escapeText(asciiFallback(String.fromCodePoint(parseInt(c, 16)))).replace(/ /g, '\\ ')}`);
    return `${[this.lines[0]!, ...fallbacks, body].join('\n')}\n`;
  }
}
