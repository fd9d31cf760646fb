/**
 * The confirmation dialog every action goes through: a modal <dialog> holding the action's
 * fields and a sentence saying what will happen. The focus stays inside (Tab and Shift+Tab wrap),
 * Escape cancels, Enter confirms (except on a button, which does its own thing), and the focus
 * goes back to what opened it.
 */
import { append, h, type Child } from './dom.js';

export interface DialogSpec {
  readonly title: string;
  /** The fields, if the action takes any. */
  readonly fields?: readonly Child[];
  /** What will happen, in words: called again whenever a field changes. */
  readonly summary: () => string;
  readonly confirm: string;
  /** A message when the fields do not make a request yet; undefined when they do. */
  readonly invalid?: () => string | undefined;
  /** Runs the action; a thrown error is shown in the dialog, which stays open. */
  readonly run: () => Promise<void>;
}

const FOCUSABLE = 'button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), a[href], [tabindex]:not([tabindex="-1"])';

function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((e) => !e.closest('[hidden]'));
}

let open: HTMLDialogElement | undefined;

/** Resolves true when the action ran, false when cancelled. */
export function confirmAction(spec: DialogSpec): Promise<boolean> {
  open?.close();
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
  const titleId = `dialog-title-${Date.now()}`;
  const summary = h('p', { class: 'summary', id: `${titleId}-summary` });
  const problem = h('p', { class: 'problem', role: 'alert' });
  const confirm = h('button', { type: 'submit', class: 'primary' }, spec.confirm);
  const cancel = h('button', { type: 'button' }, 'Cancel');
  const form = h('form', { method: 'dialog', novalidate: true }, h('h2', { id: titleId }, spec.title), ...(spec.fields ?? []), summary, problem, h('div', { class: 'buttons' }, cancel, confirm));
  const dialog = h('dialog', { 'aria-labelledby': titleId, 'aria-describedby': summary.id }, form);
  open = dialog;

  const update = (): void => {
    const bad = spec.invalid?.();
    summary.textContent = bad === undefined ? spec.summary() : bad;
    summary.classList.toggle('pending', bad !== undefined);
    confirm.disabled = bad !== undefined;
  };
  form.addEventListener('input', () => {
    problem.textContent = '';
    update();
  });
  form.addEventListener('change', update);

  return new Promise<boolean>((resolve) => {
    let done = false;
    let busy = false;
    const finish = (ran: boolean): void => {
      if (done) return;
      done = true;
      dialog.close();
      dialog.remove();
      if (open === dialog) open = undefined;
      // A live update may have re-rendered the opener meanwhile: its successor has the same key.
      const key = opener?.dataset['key'];
      const back = opener?.isConnected ? opener : key !== undefined ? document.querySelector<HTMLElement>(`[data-key="${CSS.escape(key)}"]`) : null;
      back?.focus();
      resolve(ran);
    };
    cancel.addEventListener('click', () => {
      if (!busy) finish(false);
    });
    // Escape: the browser's cancel event (the dialog is modal).
    dialog.addEventListener('cancel', (e) => {
      e.preventDefault();
      if (!busy) finish(false);
    });
    dialog.addEventListener('keydown', (e) => {
      if (e.key === 'Tab') {
        const list = focusables(dialog);
        if (list.length === 0) return;
        const first = list[0]!;
        const last = list[list.length - 1]!;
        const at = document.activeElement;
        if (e.shiftKey && (at === first || !dialog.contains(at))) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && (at === last || !dialog.contains(at))) {
          e.preventDefault();
          first.focus();
        }
      } else if (e.key === 'Enter' && !(e.target instanceof HTMLButtonElement) && !(e.target instanceof HTMLTextAreaElement)) {
        e.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (busy || confirm.disabled) return;
      busy = true;
      confirm.disabled = true;
      cancel.disabled = true;
      problem.textContent = '';
      confirm.textContent = 'Working…';
      spec.run().then(
        () => {
          busy = false;
          finish(true);
        },
        (err: unknown) => {
          busy = false;
          cancel.disabled = false;
          confirm.textContent = spec.confirm;
          problem.textContent = err instanceof Error ? err.message : String(err);
          update();
          (focusables(form)[0] ?? cancel).focus();
        },
      );
    });
    update();
    document.body.appendChild(dialog);
    dialog.showModal();
    const firstField = form.querySelector<HTMLElement>('input:not([type="checkbox"]):not([type="radio"]), select');
    (firstField ?? confirm).focus();
  });
}

/** A labelled field: the label and its control side by side, with an optional hint under them. */
export function field(label: string, control: HTMLElement, hint?: string): HTMLElement {
  const id = control.id || `f-${Math.random().toString(36).slice(2)}`;
  control.id = id;
  const hintEl = hint === undefined ? undefined : h('small', { id: `${id}-hint` }, hint);
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const row = h('div', { class: 'field' }, h('label', { for: id }, label), control);
  append(row, [hintEl]);
  return row;
}
