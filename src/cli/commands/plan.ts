import { callDaemon, socketPath } from '../daemon-client.js';
import type { PlanItem } from '../../daemon/daemon.js';
import type { PlacementView } from '../../daemon/auto-placer.js';
import type { Decision } from '../../daemon/placement/index.js';
import { noExtraArgs, optString } from '../args.js';
import { defineCommand } from '../command.js';
import { SOCKET_OPTION } from '../daemon-options.js';
import { candidateTable } from '../placement/render.js';
import { formatTable } from '../table.js';

interface Plan {
  readonly actions: readonly PlanItem[];
  readonly placement: PlacementView;
}

function renderActions(items: readonly PlanItem[]): string {
  return items.length === 0
    ? 'rules: nothing to do: every rule-matched process has what its rule asks for'
    : formatTable(
        [{ header: 'PID', align: 'right' }, { header: 'COMM' }, { header: 'RULE' }, { header: 'MODE' }, { header: 'STATE' }, { header: 'ACTION' }],
        items.map((i) => [String(i.pid), i.comm, i.rule, i.mode, i.state, i.description]),
      );
}

function renderDecision(d: Decision): string {
  const pct = Math.round(d.localRatio * 100);
  return [
    `pid ${d.pid} (${d.comm}): ${d.act ? 'MOVE' : 'stay'}: ${d.reason}`,
    `  now: nodes ${d.current.nodes.join(',') || '-'}, ${pct}% of its memory local, score ${d.current.score.toFixed(3)}${d.best === null ? '' : `; best: nodes ${d.best.nodes.join(',')}, score ${d.best.score.toFixed(3)} (gain ${d.gain.toFixed(3)})`}`,
    candidateTable(d.candidates)
      .split('\n')
      .map((l) => `  ${l}`)
      .join('\n'),
  ].join('\n');
}

function renderPlacement(p: PlacementView): string {
  if (p.time === null) return 'placement: no pass yet (no place: auto rule, or no process of one)';
  const head = `placement: pass at ${p.time}, threshold ${p.threshold.toFixed(3)}${p.measured ? '' : ' (first look: CPU use is measured from the next pass on)'}`;
  const moves = p.moves.map((m) => `  ${m.state}: pid ${m.pid} (${m.comm}) to nodes ${m.nodes.join(',')}${m.cpus === null ? '' : ` cpus ${m.cpus}`}`);
  return [head, ...moves, ...p.decisions.map(renderDecision)].join('\n');
}

export default defineCommand<Plan>({
  name: 'plan',
  summary: "What the daemon would do now and has not done, and automatic placement's last decisions with every candidate's score.",
  usage: 'numapol plan [--socket PATH] [--json]',
  options: { ...SOCKET_OPTION },
  details: `Two parts. The rules' actions not done: advised (advise mode), pending, queued or failed. Then automatic
placement's last pass (place: auto rules): for each process where its memory and CPU are, every candidate
node set scored (memory fit, CPU headroom, distance, locality, headroom: docs/placement.md), and whether it
moves and why; in advise mode the move is shown, never made.
JSON: {actions: [{pid, comm, rule, mode, action (kind and parameters), description, state}], placement:
{time (null before the first pass), measured, threshold, balancing, moves [{pid, comm, rule, nodes, cpus,
reason, state (moved, failed, advised)}], decisions [{pid, start, comm, act, why, reason, localRatio, current,
best, candidates[], gain}]}}; a candidate is {nodes, home, cpuNodes, cpus, bytes, cpu, parts, score, fits,
bytesToMove, meanDistance, reason}.`,
  run: async ({ positionals, values }) => {
    noExtraArgs(positionals, 0, 'plan');
    const socket = socketPath(optString(values, 'socket'));
    const [actions, placement] = await Promise.all([callDaemon<PlanItem[]>(socket, 'GET', '/v1/plan'), callDaemon<PlacementView>(socket, 'GET', '/v1/placement')]);
    return { actions, placement };
  },
  render: (p) => [renderActions(p.actions), '', renderPlacement(p.placement)].join('\n'),
});
