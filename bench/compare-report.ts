/** The human table of `bench compare` (markdown, so that it can be pasted into docs/benchmarks.md). */
import type { CompareCaseResult, TargetRun } from './compare-bench.js';

function n(v: number): string {
  return Math.round(v).toLocaleString('en-US');
}

function row(k: CompareCaseResult, target: string, r: TargetRun): string {
  const p = r.produce;
  const c = r.consume;
  const fails = p.failures + (c?.failures ?? 0);
  return [
    caseName(k),
    target,
    n(p.msgsPerSec),
    `${p.p50Ms} / ${p.p99Ms}`,
    p.brokerCpuUsPerMsg.toFixed(1),
    `${p.brokerCores.toFixed(2)} / ${p.brokerWaitCores === null ? '-' : p.brokerWaitCores.toFixed(2)}`,
    p.generatorCpuUsPerMsg.toFixed(1),
    c ? n(c.msgsPerSec) : '-',
    c ? c.brokerCpuUsPerMsg.toFixed(1) : '-',
    c
      ? `${c.brokerCores.toFixed(2)} / ${c.brokerWaitCores === null ? '-' : c.brokerWaitCores.toFixed(2)}`
      : '-',
    c ? (c.stealCores === null ? '-' : c.stealCores.toFixed(2)) : '-',
    c ? c.generatorCpuUsPerMsg.toFixed(1) : '-',
    String(fails),
    r.brokerPeakRssMiB === null ? '-' : String(r.brokerPeakRssMiB),
    `${k.loadAvgStart[0]}-${k.loadAvgEnd[0]}`,
  ].join(' | ');
}

function caseName(k: CompareCaseResult): string {
  return k.run > 1 ? `${k.flushDiskType} (run ${k.run})` : k.flushDiskType;
}

function x(v: number | null): string {
  return v === null ? '-' : `${v.toFixed(2)}x`;
}

export function formatCompareTable(results: CompareCaseResult[]): string {
  const lines = [
    '| flush | broker | produce msgs/s | p50 / p99 ms | broker CPU us/msg | broker cores busy / waiting | generator us/msg | consume msgs/s | consume broker CPU us/msg | consume broker cores busy / waiting | consume cores stolen (VM) | consumer us/msg | failures | broker peak RSS MiB | load avg |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const k of results) {
    if (k.reference) lines.push(`| ${row(k, 'RocketMQ 4.9.8', k.reference)} |`);
    if (k.cometmq) lines.push(`| ${row(k, 'CometMQ', k.cometmq)} |`);
    if (k.ratio) {
      const r = k.ratio;
      lines.push(
        `| ${caseName(k)} | **CometMQ / RocketMQ** | **${x(r.produceMsgsPerSec)}** | | **${x(r.produceBrokerCpuUsPerMsg)}** | | | **${x(r.consumeMsgsPerSec)}** | **${x(r.consumeBrokerCpuUsPerMsg)}** | | | | | | |`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}
