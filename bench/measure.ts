// What the benchmarks measure and print with: medians, CPU time (steadier than wall time when
// other processes share the cores), and one row per figure with its reference and goal.

import * as os from 'node:os';

/** The 1, 5 and 15 minute load averages: what else the machine ran while the figures were taken. */
export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median CPU time of `fn` in ms over `repeat` runs. */
export function cpuTime(fn: () => void, repeat: number): number {
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = process.cpuUsage();
    fn();
    const d = process.cpuUsage(t0);
    samples.push((d.user + d.system) / 1000);
  }
  return median(samples);
}

/** One figure, the reference measured in the same run, their ratio and whether the goal is met. */
export function row(label: string, figure: string, reference: string, ratio: number, goal: string, ok: boolean): void {
  console.log(`${label.padEnd(44)} ${figure.padStart(16)}  ref ${reference.padStart(16)}  ratio ${ratio.toFixed(2).padStart(5)}×  goal ${goal} ${ok ? 'met' : 'MISSED'}`);
}
