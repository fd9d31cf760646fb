/**
 * The process events connector (drivers/connector/cn_proc.c): a NETLINK_CONNECTOR socket bound
 * to the CN_IDX_PROC multicast group, on which the kernel sends one datagram per fork, exec,
 * uid/gid/sid change, ptrace attach/detach, comm change, coredump and exit of every task on the
 * machine, once a listener has sent PROC_CN_MCAST_LISTEN. Layouts from include/uapi/linux/
 * netlink.h, connector.h and cn_proc.h; numbers are the host's (little-endian on the x86_64 and
 * aarch64 numapol runs on).
 *
 * A datagram is a struct nlmsghdr (16 bytes, type NLMSG_DONE), a struct cn_msg (20 bytes: id
 * {idx, val}, seq, ack, len, flags) and a struct proc_event (what, cpu, timestamp_ns, then the
 * event's fields). The kernel only queues them: when the socket's receive buffer is full it drops
 * them, and the next recv fails once with ENOBUFS: events were lost.
 */
import { check, failed } from './check.js';
import { defineErrnoMeanings } from './errno.js';
import { closeFd } from './fd.js';
import { errno, libcFunc } from './ffi.js';
import { NumapolError } from '../errors.js';
import { PinnedBlock } from './pinned.js';
import { SyscallError } from './syscall-error.js';

const AF_NETLINK = 16;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const NETLINK_CONNECTOR = 11;
const SOL_SOCKET = 1;
const SO_RCVBUF = 8;
const SO_RCVTIMEO = 20;
const SO_RCVBUFFORCE = 33;
const MSG_DONTWAIT = 0x40;
const EINTR = 4;
const EAGAIN = 11;
const ENOBUFS = 105;

const NLMSG_NOOP = 1;
const NLMSG_DONE = 3;
const NLMSG_HDRLEN = 16;
const CN_MSG_LEN = 20;
/** what, cpu, timestamp_ns: the part of struct proc_event before event_data. */
const PROC_EVENT_HEAD = 16;
/** sockaddr_nl: family u16, pad u16, pid u32, groups u32. */
const SOCKADDR_NL_LEN = 12;

export const CN_IDX_PROC = 1;
export const CN_VAL_PROC = 1;
export const PROC_CN_MCAST_LISTEN = 1;
export const PROC_CN_MCAST_IGNORE = 2;

/** enum proc_cn_event: the `what` of a struct proc_event. */
export const PROC_EVENT = {
  NONE: 0x0,
  FORK: 0x1,
  EXEC: 0x2,
  UID: 0x4,
  GID: 0x40,
  SID: 0x80,
  PTRACE: 0x100,
  COMM: 0x200,
  COREDUMP: 0x40000000,
  EXIT: 0x80000000,
} as const;

defineErrnoMeanings('socket', {
  EPROTONOSUPPORT: 'this kernel has no netlink connector (CONFIG_CONNECTOR)',
  EAFNOSUPPORT: 'this kernel has no netlink sockets',
  EACCES: 'a security module (SELinux, AppArmor, seccomp) forbids netlink sockets to this process',
});
defineErrnoMeanings('bind', {
  EPERM: 'listening to the process events group needs CAP_NET_ADMIN (run as root)',
});
defineErrnoMeanings('sendto', {
  ECONNREFUSED:
    'no kernel connector in this network namespace: the process events connector exists only in the initial one',
  EPERM: 'sending to a netlink socket other than the kernel needs CAP_NET_ADMIN',
});
defineErrnoMeanings('setsockopt', {
  EPERM: 'SO_RCVBUFFORCE needs CAP_NET_ADMIN',
});
defineErrnoMeanings('PROC_CN_MCAST_LISTEN', {
  EPERM: 'the kernel refused the listener: it needs CAP_NET_ADMIN (run as root)',
  ENOMEM: 'the kernel could not allocate the listener',
  EINVAL: 'the kernel did not understand the request',
});

/** Fields of every event: the CPU it happened on and when (CLOCK_MONOTONIC, ns). */
export interface EventHead {
  readonly cpu: number;
  readonly timestampNs: bigint;
}

/**
 * One struct proc_event, in the kernel's words: a `pid` is a thread id (task->pid), a `tgid`
 * the process id (task->tgid).
 */
export type ProcConnectorEvent = EventHead &
  (
    | { readonly what: 'none'; readonly err: number; readonly ack: number }
    | {
        readonly what: 'fork';
        /** task->real_parent: for a new thread, the parent of the process that made it. */
        readonly parentPid: number;
        readonly parentTgid: number;
        readonly childPid: number;
        readonly childTgid: number;
      }
    | { readonly what: 'exec' | 'sid'; readonly processPid: number; readonly processTgid: number }
    | { readonly what: 'uid' | 'gid'; readonly processPid: number; readonly processTgid: number; readonly real: number; readonly effective: number }
    | { readonly what: 'ptrace'; readonly processPid: number; readonly processTgid: number; readonly tracerPid: number; readonly tracerTgid: number }
    | { readonly what: 'comm'; readonly processPid: number; readonly processTgid: number; readonly comm: string }
    | { readonly what: 'coredump'; readonly processPid: number; readonly processTgid: number; readonly parentPid: number; readonly parentTgid: number }
    | {
        readonly what: 'exit';
        readonly processPid: number;
        readonly processTgid: number;
        /** task->exit_code, a wait status: exit status << 8, or the killing signal (| 0x80 with a core). */
        readonly exitCode: number;
        /** task->exit_signal: the signal the parent gets (SIGCHLD; -1 for a thread). */
        readonly exitSignal: number;
        /** 0 on kernels before 5.x, which did not send them. */
        readonly parentPid: number;
        readonly parentTgid: number;
      }
    | { readonly what: 'unknown'; readonly code: number }
  );

/** Bytes of event_data each kind needs at least (older kernels sent shorter coredump and exit). */
const MIN_DATA: Readonly<Record<number, number>> = {
  [PROC_EVENT.NONE]: 4,
  [PROC_EVENT.FORK]: 16,
  [PROC_EVENT.EXEC]: 8,
  [PROC_EVENT.UID]: 16,
  [PROC_EVENT.GID]: 16,
  [PROC_EVENT.SID]: 8,
  [PROC_EVENT.PTRACE]: 16,
  [PROC_EVENT.COMM]: 24,
  [PROC_EVENT.COREDUMP]: 8,
  [PROC_EVENT.EXIT]: 16,
};

/**
 * Decodes the connector messages of one datagram (`length` bytes of `buf`) into `out`. Skips
 * what is not a process event: other netlink message types (our own wake-ups are NLMSG_NOOP),
 * other connector ids, and events shorter than their kind needs.
 */
export function decodeProcEvents(buf: Buffer, length: number, out: ProcConnectorEvent[]): void {
  let at = 0;
  while (at + NLMSG_HDRLEN <= length) {
    const len = buf.readUInt32LE(at);
    if (len < NLMSG_HDRLEN || at + len > length) return;
    if (buf.readUInt16LE(at + 4) === NLMSG_DONE && len >= NLMSG_HDRLEN + CN_MSG_LEN) {
      const cn = at + NLMSG_HDRLEN;
      const dataLen = buf.readUInt16LE(cn + 16);
      if (
        buf.readUInt32LE(cn) === CN_IDX_PROC &&
        buf.readUInt32LE(cn + 4) === CN_VAL_PROC &&
        dataLen >= PROC_EVENT_HEAD &&
        NLMSG_HDRLEN + CN_MSG_LEN + dataLen <= len
      ) {
        const event = decodeEvent(buf, cn + CN_MSG_LEN, dataLen - PROC_EVENT_HEAD, buf.readUInt32LE(cn + 12));
        if (event !== undefined) out.push(event);
      }
    }
    at += (len + 3) & ~3;
  }
}

function decodeEvent(buf: Buffer, ev: number, dataLen: number, ack: number): ProcConnectorEvent | undefined {
  const what = buf.readUInt32LE(ev);
  const min = MIN_DATA[what];
  if (min !== undefined && dataLen < min) return undefined;
  const cpu = buf.readInt32LE(ev + 4);
  const timestampNs = buf.readBigUInt64LE(ev + 8);
  const d = ev + PROC_EVENT_HEAD;
  // Objects written out whole, not spread from a common head: a spread of an object holding a
  // bigint took V8 3 µs, 30 times the rest of the decoding.
  switch (what) {
    case PROC_EVENT.NONE:
      return { cpu, timestampNs, what: 'none', err: buf.readUInt32LE(d), ack };
    case PROC_EVENT.FORK:
      return {
        cpu,
        timestampNs,
        what: 'fork',
        parentPid: buf.readInt32LE(d),
        parentTgid: buf.readInt32LE(d + 4),
        childPid: buf.readInt32LE(d + 8),
        childTgid: buf.readInt32LE(d + 12),
      };
    case PROC_EVENT.EXEC:
      return { cpu, timestampNs, what: 'exec', processPid: buf.readInt32LE(d), processTgid: buf.readInt32LE(d + 4) };
    case PROC_EVENT.SID:
      return { cpu, timestampNs, what: 'sid', processPid: buf.readInt32LE(d), processTgid: buf.readInt32LE(d + 4) };
    case PROC_EVENT.UID:
    case PROC_EVENT.GID:
      return {
        cpu,
        timestampNs,
        what: what === PROC_EVENT.UID ? 'uid' : 'gid',
        processPid: buf.readInt32LE(d),
        processTgid: buf.readInt32LE(d + 4),
        real: buf.readUInt32LE(d + 8),
        effective: buf.readUInt32LE(d + 12),
      };
    case PROC_EVENT.PTRACE:
      return {
        cpu,
        timestampNs,
        what: 'ptrace',
        processPid: buf.readInt32LE(d),
        processTgid: buf.readInt32LE(d + 4),
        tracerPid: buf.readInt32LE(d + 8),
        tracerTgid: buf.readInt32LE(d + 12),
      };
    case PROC_EVENT.COMM: {
      const name = buf.subarray(d + 8, d + 24);
      const nul = name.indexOf(0);
      // utf8 like readComm, so a name from an event equals the one /proc shows.
      const comm = name.toString('utf8', 0, nul < 0 ? 16 : nul);
      return { cpu, timestampNs, what: 'comm', processPid: buf.readInt32LE(d), processTgid: buf.readInt32LE(d + 4), comm };
    }
    case PROC_EVENT.COREDUMP:
      return {
        cpu,
        timestampNs,
        what: 'coredump',
        processPid: buf.readInt32LE(d),
        processTgid: buf.readInt32LE(d + 4),
        parentPid: dataLen >= 16 ? buf.readInt32LE(d + 8) : 0,
        parentTgid: dataLen >= 16 ? buf.readInt32LE(d + 12) : 0,
      };
    case PROC_EVENT.EXIT:
      return {
        cpu,
        timestampNs,
        what: 'exit',
        processPid: buf.readInt32LE(d),
        processTgid: buf.readInt32LE(d + 4),
        exitCode: buf.readUInt32LE(d + 8),
        exitSignal: buf.readInt32LE(d + 12),
        parentPid: dataLen >= 24 ? buf.readInt32LE(d + 16) : 0,
        parentTgid: dataLen >= 24 ? buf.readInt32LE(d + 20) : 0,
      };
    default:
      return { cpu, timestampNs, what: 'unknown', code: what };
  }
}

/** The datagram that asks the kernel to start or stop sending events: nlmsghdr, cn_msg, the op. */
export function encodeMcastOp(op: number, seq: number, ack: number, portId: number): Buffer {
  const total = NLMSG_HDRLEN + CN_MSG_LEN + 4;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(total, 0);
  b.writeUInt16LE(NLMSG_DONE, 4);
  b.writeUInt32LE(seq >>> 0, 8);
  b.writeUInt32LE(portId >>> 0, 12);
  const cn = NLMSG_HDRLEN;
  b.writeUInt32LE(CN_IDX_PROC, cn);
  b.writeUInt32LE(CN_VAL_PROC, cn + 4);
  b.writeUInt32LE(seq >>> 0, cn + 8);
  b.writeUInt32LE(ack >>> 0, cn + 12);
  b.writeUInt16LE(4, cn + 16);
  b.writeUInt32LE(op, cn + CN_MSG_LEN);
  return b;
}

export interface ProcConnectorOptions {
  /**
   * Receive buffer to ask for, in bytes. The kernel doubles it for its bookkeeping and counts
   * each queued event's whole buffer (~830 bytes measured on 6.18), so the default 8 MiB holds
   * some 20,000 events while the main thread is busy. SO_RCVBUFFORCE as root, else SO_RCVBUF,
   * which net.core.rmem_max caps. Memory is only used while events wait.
   */
  receiveBuffer?: number;
  /** How long a blocking read waits before it returns EAGAIN (SO_RCVTIMEO), ms. Default 1000. */
  readTimeoutMs?: number;
}

type SocketFn = (domain: number, type: number, protocol: number) => number;
type BindFn = (fd: number, addr: number, len: number) => number;
type SetsockoptFn = (fd: number, level: number, name: number, value: number, len: number) => number;
type GetsockoptFn = (fd: number, level: number, name: number, value: number, len: number) => number;
type GetsocknameFn = (fd: number, addr: number, len: number) => number;
type SendtoFn = (fd: number, buf: number, len: number, flags: number, addr: number, addrLen: number) => number | bigint;
type RecvFn = (fd: number, buf: number, len: number, flags: number) => number | bigint;

const sys = {
  socket: (): SocketFn => libcFunc<SocketFn>('int socket(int, int, int)'),
  bind: (): BindFn => libcFunc<BindFn>('int bind(int, uintptr_t, uint32_t)'),
  setsockopt: (): SetsockoptFn => libcFunc<SetsockoptFn>('int setsockopt(int, int, int, uintptr_t, uint32_t)'),
  getsockopt: (): GetsockoptFn => libcFunc<GetsockoptFn>('int getsockopt(int, int, int, uintptr_t, uintptr_t)'),
  getsockname: (): GetsocknameFn => libcFunc<GetsocknameFn>('int getsockname(int, uintptr_t, uintptr_t)'),
  sendto: (): SendtoFn => libcFunc<SendtoFn>('long sendto(int, uintptr_t, size_t, int, uintptr_t, uint32_t)'),
  recv: (): RecvFn => libcFunc<RecvFn>('long recv(int, uintptr_t, size_t, int)'),
};

/** A datagram of proc events is 76 bytes; room for many in case a kernel ever batches them. */
const RECV_BYTES = 16384;
/** Scratch for the socket address, option values and messages sent (offsets into one block). */
const ADDR_AT = 0;
const LEN_AT = 16;
const OPT_AT = 32;
const SEND_AT = 64;
const SCRATCH = 256;

/** What a non-blocking receive found. */
export type ReceiveOutcome = 'event' | 'empty' | 'overrun';

/**
 * An open connector socket that listens. `open` returns only once the kernel has acknowledged
 * PROC_CN_MCAST_LISTEN, so a socket it returns is one the kernel sends events to.
 */
export class ProcConnector {
  /** Netlink port id the kernel gave the socket (wake-ups are sent to it). */
  readonly portId: number;
  /** Receive buffer as the kernel set it (getsockopt SO_RCVBUF: twice what was asked). */
  readonly receiveBuffer: number;
  /** Events received while waiting for the acknowledgement: the caller delivers them first. */
  readonly early: ProcConnectorEvent[] = [];
  private fdValue: number;
  private listening = false;
  private readonly scratch = new PinnedBlock(SCRATCH);
  private readonly recvBlock = new PinnedBlock(RECV_BYTES);

  private constructor(fd: number, portId: number, receiveBuffer: number) {
    this.fdValue = fd;
    this.portId = portId;
    this.receiveBuffer = receiveBuffer;
  }

  /** The descriptor; -1 once closed. */
  get fd(): number {
    return this.fdValue;
  }

  static open(opts: ProcConnectorOptions = {}): ProcConnector {
    const socket = sys.socket();
    const fd = check('socket', () => socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR), 'AF_NETLINK, NETLINK_CONNECTOR');
    try {
      const conn = ProcConnector.setUp(fd, opts);
      conn.listen();
      return conn;
    } catch (e) {
      closeFd(fd, 'proc connector');
      throw e;
    }
  }

  private static setUp(fd: number, opts: ProcConnectorOptions): ProcConnector {
    const scratch = new PinnedBlock(SCRATCH);
    const b = scratch.buf;
    const setsockopt = sys.setsockopt();
    const size = Math.max(1, Math.min(opts.receiveBuffer ?? 8 << 20, 0x3fffffff));
    b.writeInt32LE(size, OPT_AT);
    // SO_RCVBUFFORCE ignores net.core.rmem_max but needs CAP_NET_ADMIN; without it, SO_RCVBUF.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, scratch.at(OPT_AT), 4) < 0) {
      check('setsockopt', () => setsockopt(fd, SOL_SOCKET, SO_RCVBUF, scratch.at(OPT_AT), 4), 'SO_RCVBUF');
    }
    const timeout = opts.readTimeoutMs ?? 1000;
    b.writeBigInt64LE(BigInt(Math.floor(timeout / 1000)), OPT_AT);
    b.writeBigInt64LE(BigInt(Math.round((timeout % 1000) * 1000)), OPT_AT + 8);
    check('setsockopt', () => setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, scratch.at(OPT_AT), 16), 'SO_RCVTIMEO');
    b.writeUInt32LE(4, LEN_AT);
    check('getsockopt', () => sys.getsockopt()(fd, SOL_SOCKET, SO_RCVBUF, scratch.at(OPT_AT), scratch.at(LEN_AT)), 'SO_RCVBUF');
    const receiveBuffer = b.readInt32LE(OPT_AT);

    b.fill(0, ADDR_AT, ADDR_AT + SOCKADDR_NL_LEN);
    b.writeUInt16LE(AF_NETLINK, ADDR_AT);
    b.writeUInt32LE(1 << (CN_IDX_PROC - 1), ADDR_AT + 8);
    const bind = sys.bind();
    check('bind', () => bind(fd, scratch.at(ADDR_AT), SOCKADDR_NL_LEN), 'NETLINK_CONNECTOR group CN_IDX_PROC');
    b.writeUInt32LE(SOCKADDR_NL_LEN, LEN_AT);
    check('getsockname', () => sys.getsockname()(fd, scratch.at(ADDR_AT), scratch.at(LEN_AT)), 'proc connector');
    return new ProcConnector(fd, b.readUInt32LE(ADDR_AT + 4), receiveBuffer);
  }

  /**
   * Sends PROC_CN_MCAST_LISTEN and reads its acknowledgement. The kernel handles the message
   * inside our sendto and multicasts the ack (ack number + 1) to every listener, ours included,
   * so it is queued by the time sendto returns. No ack means the kernel dropped the request: no
   * CONFIG_PROC_EVENTS, or a caller outside the initial user and pid namespaces. Other
   * listeners' events reach the socket from bind on: a small buffer full of them drops the ack
   * (an overrun), and the request is then sent again.
   */
  private listen(): void {
    for (let attempt = 0; attempt < 3; attempt++) {
      const ack = (Math.random() * 0x100000000) >>> 0;
      this.sendOp(PROC_CN_MCAST_LISTEN, ack);
      this.listening = true;
      const want = (ack + 1) >>> 0;
      let overrun = false;
      for (;;) {
        const events: ProcConnectorEvent[] = [];
        const outcome = this.receive(events);
        if (outcome === 'empty') break;
        if (outcome === 'overrun') overrun = true;
        for (const e of events) {
          if (e.what === 'none' && e.ack === want) {
            if (e.err !== 0) throw new SyscallError('PROC_CN_MCAST_LISTEN', e.err, 'proc connector');
            return;
          }
          this.early.push(e);
        }
      }
      if (!overrun) break;
    }
    throw new NumapolError(
      'ENOACK',
      'the kernel did not acknowledge PROC_CN_MCAST_LISTEN: it has no CONFIG_PROC_EVENTS, or this process is not in the initial user and pid namespaces',
    );
  }

  private sendOp(op: number, ack: number): void {
    const msg = encodeMcastOp(op, 0, ack, this.portId);
    const b = this.scratch.buf;
    msg.copy(b, SEND_AT);
    b.fill(0, ADDR_AT, ADDR_AT + SOCKADDR_NL_LEN);
    b.writeUInt16LE(AF_NETLINK, ADDR_AT);
    const sendto = sys.sendto();
    check('sendto', () => sendto(this.fdValue, this.scratch.at(SEND_AT), msg.length, 0, this.scratch.at(ADDR_AT), SOCKADDR_NL_LEN), 'proc connector');
  }

  /**
   * One non-blocking recv: decodes the datagram into `out` ('event', even when it held nothing we
   * decode), 'empty' when none is queued, 'overrun' when the kernel dropped events since the last
   * receive (reported once; what is still queued comes with the next calls).
   */
  receive(out: ProcConnectorEvent[]): ReceiveOutcome {
    if (this.fdValue < 0) throw new RangeError('the proc connector is closed');
    const recv = sys.recv();
    const block = this.recvBlock;
    for (;;) {
      const n = Number(recv(this.fdValue, block.addr, RECV_BYTES, MSG_DONTWAIT));
      if (n >= 0) {
        decodeProcEvents(block.buf, Math.min(n, RECV_BYTES), out);
        return 'event';
      }
      const e = errno();
      if (e === EAGAIN) return 'empty';
      if (e === ENOBUFS) return 'overrun';
      if (e !== EINTR) failed('recv', 'proc connector');
    }
  }

  /**
   * Receives up to `max` queued datagrams without waiting; true when an overrun was among them.
   */
  drain(out: ProcConnectorEvent[], max: number): boolean {
    let overrun = false;
    for (let i = 0; i < max; i++) {
      const outcome = this.receive(out);
      if (outcome === 'empty') break;
      if (outcome === 'overrun') overrun = true;
    }
    return overrun;
  }

  /** Asks the kernel to stop sending (PROC_CN_MCAST_IGNORE); best effort, once. */
  stopListening(): void {
    if (!this.listening || this.fdValue < 0) return;
    this.listening = false;
    try {
      this.sendOp(PROC_CN_MCAST_IGNORE, 0);
    } catch {
      // Closing the socket stops the deliveries anyway; only the kernel's listener count stays up.
    }
  }

  /**
   * Sends an empty message (NLMSG_NOOP) to this socket itself, so that a read blocked on it in
   * another thread returns now. False when that is not allowed (it needs CAP_NET_ADMIN).
   */
  wake(): boolean {
    if (this.fdValue < 0) return false;
    const b = this.scratch.buf;
    b.fill(0, SEND_AT, SEND_AT + NLMSG_HDRLEN);
    b.writeUInt32LE(NLMSG_HDRLEN, SEND_AT);
    b.writeUInt16LE(NLMSG_NOOP, SEND_AT + 4);
    b.writeUInt32LE(this.portId, SEND_AT + 12);
    b.fill(0, ADDR_AT, ADDR_AT + SOCKADDR_NL_LEN);
    b.writeUInt16LE(AF_NETLINK, ADDR_AT);
    b.writeUInt32LE(this.portId, ADDR_AT + 4);
    const sendto = sys.sendto();
    return Number(sendto(this.fdValue, this.scratch.at(SEND_AT), NLMSG_HDRLEN, MSG_DONTWAIT, this.scratch.at(ADDR_AT), SOCKADDR_NL_LEN)) >= 0;
  }

  /** Stops listening and closes the socket. Never while a read on `fd` is under way elsewhere. */
  close(): void {
    if (this.fdValue < 0) return;
    this.stopListening();
    const fd = this.fdValue;
    this.fdValue = -1;
    closeFd(fd, 'proc connector');
  }
}
