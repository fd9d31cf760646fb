import { NumapolError, type NumapolErrorOptions } from '../errors.js';
import { errnoMeaning, errnoName } from './errno.js';

/** A syscall failed: names the call, the errno, and what that errno means for this call. */
export class SyscallError extends NumapolError {
  readonly syscall: string;
  readonly errno: number;
  readonly errnoName: string;

  constructor(syscall: string, errno: number, context?: string, options: NumapolErrorOptions = {}) {
    const name = errnoName(errno);
    const where = context === undefined ? '' : ` (${context})`;
    super(name, `${syscall}${where}: ${name}: ${errnoMeaning(syscall, errno)}`, {
      ...options,
      details: { syscall, errno, errnoName: name, ...options.details },
    });
    this.name = 'SyscallError';
    this.syscall = syscall;
    this.errno = errno;
    this.errnoName = name;
  }
}
