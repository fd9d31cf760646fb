/** libc's own text for an errno ("No such file or directory"), as perror and strerror print it. */
import { libcFunc } from './ffi.js';

export function strerror(errno: number): string {
  return libcFunc<(e: number) => string>('const char *strerror(int)')(errno);
}
