/**
 * What a loaded configuration still tells its user: rules that stay inactive on this machine
 * and users it does not have. Each is located like an error.
 */
import type { PathSegment } from './positions.js';
import type { DaemonConfig } from './types.js';

export interface WarningAt {
  readonly path: readonly PathSegment[];
  readonly problem: string;
}

export function configWarnings(config: DaemonConfig): WarningAt[] {
  const out: WarningAt[] = [];
  config.rules.forEach((rule, i) => {
    if (rule.inactive !== undefined) out.push({ path: ['rules', i], problem: rule.inactive.reason });
    if (rule.kind === 'match' && rule.match.user !== undefined && rule.match.user.uid === null) {
      out.push({
        path: ['rules', i, 'match', 'user'],
        problem: `user ${JSON.stringify(rule.match.user.text)} does not exist on this machine: the selector matches nothing`,
      });
    }
  });
  return out;
}
