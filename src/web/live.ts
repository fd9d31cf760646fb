/**
 * `/events` (Server-Sent Events) with reconnection. The browser retries a dropped stream by
 * itself; a stream it gave up on (an HTTP error, e.g. the daemon restarting) is opened again
 * after a pause that grows to 30 s. Each (re)connection starts with `hello`: the page reloads
 * everything then, since events may have been missed in between.
 */
export const EVENTS = ['hello', 'action', 'process', 'rule-match', 'reload', 'overrun', 'placement', 'rescan'] as const;
export type EventName = (typeof EVENTS)[number];
export type LiveState = 'connecting' | 'live' | 'down';

export function connectLive(url: string, onEvent: (name: EventName, data: unknown) => void, onState: (s: LiveState) => void): { close(): void } {
  let source: EventSource | undefined;
  let timer: number | undefined;
  let delay = 1000;
  let closed = false;
  const open = (): void => {
    onState('connecting');
    const s = new EventSource(url, { withCredentials: true });
    source = s;
    for (const name of EVENTS) {
      s.addEventListener(name, (ev) => {
        if (name === 'hello') {
          delay = 1000;
          onState('live');
        }
        let data: unknown = null;
        try {
          data = JSON.parse((ev as MessageEvent<string>).data);
        } catch {
          // An event without JSON data (overrun): the name is the news.
        }
        onEvent(name, data);
      });
    }
    s.addEventListener('error', () => {
      if (closed) return;
      if (s.readyState === EventSource.CLOSED) {
        onState('down');
        s.close();
        timer = window.setTimeout(open, delay);
        delay = Math.min(delay * 2, 30_000);
      } else {
        onState('connecting');
      }
    });
  };
  open();
  return {
    close: () => {
      closed = true;
      if (timer !== undefined) window.clearTimeout(timer);
      source?.close();
    },
  };
}
