/**
 * Reading the process events connector from Node's event loop, without polling and without
 * blocking the main thread.
 *
 * Node cannot watch an arbitrary descriptor for readability (libuv takes a netlink socket for
 * neither a stream nor a UDP socket), so a thread has to block in recv. The one Node already has
 * is libuv's thread pool: `fs.read` on the socket is a recv with flags 0 there, and its callback
 * comes back to the main thread like any other I/O. The price is one of the pool's four threads,
 * parked in recv for good. The alternative, a worker_thread blocked in recv through koffi, keeps
 * reading while the main thread is busy and saves one thread wake-up per batch (about a third
 * of the CPU per event in a rough comparison here), but costs a second V8 isolate with its own
 * koffi (+12 MiB, 100-120 ms to start, measured), a message hop and a second module to keep
 * right; the socket's large receive buffer already holds what arrives while the main thread
 * works.
 *
 * Per wake-up: the datagram the pool read returned, then every datagram already queued, taken
 * on the main thread with non-blocking recv (up to MAX_PER_WAKE, then back to the loop so a fork
 * storm cannot starve it), delivered as one batch; then the next pool read is issued. Measured on
 * this project's 2-vCPU VM (bench/proc-events.ts): exec to callback ~140 µs median against ~40
 * for a C listener blocked in recv, and 100-160 µs of CPU per event, nearly all of it the thread
 * hand-offs (a bare fs.read round trip on a FIFO costs 220 µs of CPU here). Idle, the read
 * returns EAGAIN once per SO_RCVTIMEO (1 s) and is issued again: one round trip a second.
 *
 * That timeout also bounds close(): a read under way holds the descriptor, so close() marks the
 * reader closed, stops the kernel's sending, and sends the socket a wake-up datagram so the read
 * returns at once; the descriptor is closed when it does (within the timeout if the wake-up
 * cannot be sent). Closing a descriptor another thread is reading could hand its number, and
 * the read, to the next open.
 */
import { read } from 'node:fs';
import { decodeProcEvents, ProcConnector, type ProcConnectorEvent, type ProcConnectorOptions } from './proc-connector.js';
import { SyscallError } from './syscall-error.js';
import { ERRNO_NAMES } from './errno.js';

/** Datagrams taken per wake-up before the loop gets a turn. */
const MAX_PER_WAKE = 4096;
const READ_BYTES = 16384;

export interface ProcConnectorHandlers {
  /** Events in the order the socket queued them (per CPU in order; across CPUs nearly so). */
  onEvents(events: ProcConnectorEvent[]): void;
  /** The kernel dropped events: the receive buffer was full. */
  onOverrun(): void;
  /** The socket failed for another reason; the reader has closed it. */
  onError(error: SyscallError): void;
}

export interface ProcConnectorReader {
  readonly connector: ProcConnector;
  /** Stops the events; the descriptor closes as soon as no read holds it. Idempotent. */
  close(): void;
}

/**
 * Opens the connector (throws its SyscallError or NumapolError('ENOACK') at once) and reads it
 * until close().
 */
export function readProcConnector(handlers: ProcConnectorHandlers, opts: ProcConnectorOptions = {}): ProcConnectorReader {
  const reader = new Reader(ProcConnector.open(opts), handlers);
  reader.start();
  return reader;
}

const ERRNO_BY_NAME: Readonly<Record<string, number>> = Object.fromEntries(Object.entries(ERRNO_NAMES).map(([n, name]) => [name, Number(n)]));

class Reader implements ProcConnectorReader {
  private reading = false;
  private closed = false;
  private readonly buf = Buffer.allocUnsafe(READ_BYTES);

  constructor(
    readonly connector: ProcConnector,
    private readonly handlers: ProcConnectorHandlers,
  ) {}

  start(): void {
    const early = this.connector.early.splice(0);
    this.next();
    if (early.length > 0) {
      setImmediate(() => {
        if (!this.closed) this.handlers.onEvents(early);
      });
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connector.stopListening();
    if (!this.reading) this.connector.close();
    else this.connector.wake();
  }

  private next(): void {
    this.reading = true;
    read(this.connector.fd, this.buf, 0, READ_BYTES, null, (err, n) => this.woke(err, n));
  }

  private woke(err: NodeJS.ErrnoException | null, n: number): void {
    this.reading = false;
    if (this.closed) {
      this.connector.close();
      return;
    }
    const events: ProcConnectorEvent[] = [];
    let overrun = false;
    try {
      if (err === null) {
        decodeProcEvents(this.buf, Math.min(n, READ_BYTES), events);
        overrun = this.connector.drain(events, MAX_PER_WAKE);
      } else if (err.code === 'ENOBUFS') {
        overrun = true;
        this.connector.drain(events, MAX_PER_WAKE);
      } else if (err.code !== 'EAGAIN' && err.code !== 'EINTR') {
        throw new SyscallError('read', ERRNO_BY_NAME[err.code ?? ''] ?? -err.errno!, 'proc connector', { cause: err });
      }
    } catch (e) {
      this.closed = true;
      try {
        this.connector.close();
      } catch {
        // The error being reported says more than a failing close after it.
      }
      if (!(e instanceof SyscallError)) throw e;
      this.handlers.onError(e);
      return;
    }
    // The handlers run before the next read is issued (issuing it costs a thread wake-up, which
    // would delay them), so a handler that closes the reader closes the socket at once; the
    // next read is issued even when a handler throws.
    try {
      if (events.length > 0) this.handlers.onEvents(events);
      if (overrun && !this.closed) this.handlers.onOverrun();
    } finally {
      if (this.closed) this.connector.close();
      else this.next();
    }
  }
}
