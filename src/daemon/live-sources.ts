/** The real ProcessSource: /proc through ops/, and the kernel's process-events connector. */
import { processFacts, processIds, processStart, watchProcEvents } from '../ops/index.js';
import type { DaemonFacts, ProcessSource } from './ports.js';

export function liveSources(root?: string, onError?: (e: Error) => void): ProcessSource {
  const ro = root === undefined ? {} : { root };
  return {
    facts(pid: number): DaemonFacts | undefined {
      return processFacts(pid, ro);
    },
    start(pid: number): number | undefined {
      return processStart(pid, ro);
    },
    pids(): number[] {
      return processIds(ro);
    },
    watch(onEvents, onOverrun) {
      return watchProcEvents((evs) => onEvents(evs), onOverrun, onError === undefined ? {} : { onError });
    },
  };
}
