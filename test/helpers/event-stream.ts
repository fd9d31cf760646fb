/** A test's subscription to the daemon's `/events` (Server-Sent Events) over its Unix socket. */
import { request, type ClientRequest } from 'node:http';

export interface StreamEvent {
  readonly event: string;
  readonly data: unknown;
}

export class EventStream {
  readonly events: StreamEvent[] = [];
  private req: ClientRequest;
  private buf = '';

  constructor(socket: string) {
    this.req = request({ socketPath: socket, method: 'GET', path: '/events' }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        this.buf += d;
        let end: number;
        while ((end = this.buf.indexOf('\n\n')) >= 0) {
          const block = this.buf.slice(0, end);
          this.buf = this.buf.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event !== undefined && data !== undefined) this.events.push({ event, data: JSON.parse(data) as unknown });
        }
      });
    });
    this.req.on('error', () => {});
    this.req.end();
  }

  of<T>(name: string): T[] {
    return this.events.filter((e) => e.event === name).map((e) => e.data as T);
  }

  close(): void {
    this.req.destroy();
  }
}
