/** Messages about what just happened, in a polite live region (screen readers say them too). */
import { byId, h } from './dom.js';

const KEEP = 8;
const SHOWN_MS = 12_000;

export function notice(text: string, kind: 'ok' | 'warn' | 'error' = 'ok'): void {
  const list = byId('notices');
  const item = h('li', { class: kind }, h('span', { class: 'visually-hidden' }, `${kind === 'ok' ? '' : `${kind}: `}`), text);
  list.prepend(item);
  window.setTimeout(() => item.remove(), SHOWN_MS);
  while (list.children.length > KEEP) list.lastElementChild?.remove();
}
