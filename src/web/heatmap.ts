/**
 * Processes × nodes: how much of each process's memory is on each node. A cell's colour is the
 * share of the process's memory on that node, its label the size, so a row reads the same in
 * grey. The processes table beside it has the same numbers for keyboards and screen readers.
 */
import { init, use, type ComposeOption, type ECharts } from 'echarts/core';
import { HeatmapChart, type HeatmapSeriesOption } from 'echarts/charts';
import { GridComponent, TooltipComponent, VisualMapContinuousComponent, type GridComponentOption, type TooltipComponentOption, type VisualMapComponentOption } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { MemoryView } from './api.js';
import { bytes, percent } from './format.js';

use([HeatmapChart, GridComponent, TooltipComponent, VisualMapContinuousComponent, CanvasRenderer]);

type Option = ComposeOption<HeatmapSeriesOption | GridComponentOption | TooltipComponentOption | VisualMapComponentOption>;

/** [node column, process row, share of the process on the node, bytes, threads there]. */
type Cell = [number, number, number, number, number];

const ROW_PX = 30;

export class Heatmap {
  private chart: ECharts | undefined;
  private pids: number[] = [];

  constructor(
    private readonly el: HTMLElement,
    private readonly onPick: (pid: number) => void,
  ) {
    window.addEventListener('resize', () => this.chart?.resize());
  }

  show(m: MemoryView): void {
    const procs = m.processes;
    this.pids = procs.map((p) => p.pid);
    const nodes = m.nodes.map((n) => n.node);
    this.el.style.height = `${Math.max(120, procs.length * ROW_PX + 70)}px`;
    if (this.chart === undefined) {
      this.chart = init(this.el, undefined, { renderer: 'canvas' });
      this.chart.on('click', (p) => {
        const row = Array.isArray(p.value) ? Number(p.value[1]) : NaN;
        const pid = this.pids[row];
        if (pid !== undefined) this.onPick(pid);
      });
    } else {
      this.chart.resize();
    }
    const cells: { value: Cell; label: { color: string } }[] = [];
    procs.forEach((p, row) => {
      nodes.forEach((n, col) => {
        const b = p.bytesPerNode[String(n)] ?? 0;
        const share = p.totalBytes > 0 ? b / p.totalBytes : 0;
        // Dark text on the light end of the scale, light text on the dark end.
        cells.push({ value: [col, row, share, b, p.threadsPerNode[String(n)] ?? 0], label: { color: share > 0.45 ? '#ffffff' : '#1b1f24' } });
      });
    });
    const label = (row: number): string => {
      const p = procs[row];
      return p === undefined ? '' : `${p.comm} ${p.pid}${p.managed ? ' ●' : ''}`;
    };
    const option: Option = {
      animation: false,
      grid: { left: 8, right: 16, top: 28, bottom: 56, containLabel: true },
      tooltip: {
        trigger: 'item',
        formatter: (params) => {
          const d = (Array.isArray(params) ? params[0] : params)?.value as Cell | undefined;
          if (d === undefined) return '';
          const p = procs[d[1]];
          // Text only: ECharts puts the string in the page as HTML.
          return escapeHtml(`${p?.comm ?? '?'} (pid ${p?.pid ?? '?'}) on node ${nodes[d[0]] ?? '?'}: ${bytes(d[3])}, ${percent(d[2])} of its memory; ${d[4]} thread${d[4] === 1 ? '' : 's'} last ran here`);
        },
      },
      xAxis: { type: 'category', position: 'top', data: nodes.map((n) => `node ${n}`), splitArea: { show: true }, axisTick: { show: false } },
      yAxis: { type: 'category', inverse: true, data: procs.map((_, i) => label(i)), axisTick: { show: false }, axisLabel: { width: 190, overflow: 'truncate' } },
      visualMap: {
        type: 'continuous',
        min: 0,
        max: 1,
        dimension: 2,
        orient: 'horizontal',
        left: 'center',
        bottom: 4,
        itemHeight: 160,
        text: ['all of it', 'none'],
        calculable: false,
        inRange: { color: ['#f3f6fb', '#9ecae1', '#3182bd', '#08306b'] },
        formatter: (v) => percent(Number(v)),
      },
      series: [
        {
          type: 'heatmap',
          data: cells,
          label: { show: true, formatter: (p) => (Array.isArray(p.value) && Number(p.value[3]) > 0 ? bytes(Number(p.value[3])) : '–'), fontSize: 11 },
          itemStyle: { borderColor: '#fff', borderWidth: 1 },
          emphasis: { itemStyle: { borderColor: '#000', borderWidth: 2 } },
        },
      ],
    };
    this.chart.setOption(option, { notMerge: true });
    this.el.setAttribute('aria-label', `Heatmap of resident memory per node for ${procs.length} processes; the processes table has the same numbers.`);
  }
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
