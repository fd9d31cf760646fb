/** Node and CPU lists in the form users type them ("0-3,6"), for callers above the readers. */
import { formatRanges } from '../kernel/range-list.js';
import { formatNodeList } from '../policy/index.js';

export { formatNodeList };

export function formatCpuList(cpus: Iterable<number>): string {
  return formatRanges(cpus);
}
