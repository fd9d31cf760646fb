/**
 * A small element builder, and a way to replace a section's content without losing the keyboard
 * focus: live updates re-render tables while someone may be tabbing through their buttons.
 */
export type Child = Node | string | number | null | undefined | false;
type AttrValue = string | number | boolean | null | undefined | ((e: Event) => void);
export type Attrs = Readonly<Record<string, AttrValue>>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: readonly Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = String(v);
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: readonly Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el as T;
}

/**
 * Replaces the children of `container`. When the focus was on an element with a `data-key`
 * inside it, the new element with the same key gets it back.
 */
export function replace(container: HTMLElement, ...children: readonly Child[]): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && container.contains(active) ? active.dataset['key'] : undefined;
  container.replaceChildren();
  append(container, children);
  if (key !== undefined) {
    const again = container.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`);
    again?.focus();
  }
}

/** A table with a caption; `head` cells are column headers, each row's first cell a row header when `rowHeaders`. */
export function table(caption: string, head: readonly Child[], rows: readonly (readonly Child[])[], opts: { rowHeaders?: boolean; numeric?: readonly number[]; className?: string } = {}): HTMLTableElement {
  const numeric = new Set(opts.numeric ?? []);
  const cell = (tag: 'td' | 'th', c: Child, i: number, scope?: string): HTMLTableCellElement => h(tag, { class: numeric.has(i) ? 'num' : undefined, scope }, c);
  return h(
    'table',
    { class: opts.className },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, ...head.map((c, i) => cell('th', c, i, 'col')))),
    h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c, i) => (i === 0 && opts.rowHeaders ? cell('th', c, i, 'row') : cell('td', c, i)))))),
  );
}
