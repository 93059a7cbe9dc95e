/**
 * Main-thread CPU time from a Chrome trace, per `performance.measure()` window. Thread CPU (`tdur`) does not grow
 * when other processes compete for the machine, unlike wall-clock time, so it is the steadier number on a busy host.
 * Trace with the categories in `CPU_TRACE_CATEGORIES`.
 */
export const CPU_TRACE_CATEGORIES = ['devtools.timeline', 'blink.user_timing', 'toplevel'];

interface TraceEvent {
  name: string;
  cat?: string;
  ph: string;
  ts: number;
  dur?: number;
  tdur?: number;
  pid: number;
  tid: number;
  id?: string;
  id2?: { local?: string; global?: string };
  args?: { name?: string };
}

export interface Window {
  name: string;
  /** Wall-clock length of the window (ms). */
  wallMs: number;
  /** Main-thread CPU inside the window (ms): top-level tasks' `tdur`, pro rata for tasks that straddle an edge. */
  cpuMs: number;
}

export function cpuByMeasure(trace: Buffer | string): Window[] {
  const events = (JSON.parse(trace.toString()) as { traceEvents: TraceEvent[] }).traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  if (!main) return [];

  // performance.measure() → nestable async begin/end pairs in blink.user_timing.
  const open = new Map<string, TraceEvent>();
  const windows: { name: string; start: number; end: number }[] = [];
  for (const event of events.filter((e) => e.cat === 'blink.user_timing').sort((a, b) => a.ts - b.ts)) {
    const id = `${event.name}:${event.id ?? event.id2?.local ?? event.id2?.global ?? ''}`;
    if (event.ph === 'b') open.set(id, event);
    else if (event.ph === 'e') {
      const begin = open.get(id);
      if (begin) {
        windows.push({ name: event.name, start: begin.ts, end: event.ts });
        open.delete(id);
      }
    }
  }

  // Top-level slices on the main thread (not nested in another slice).
  const slices = events
    .filter((e) => e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur !== undefined && e.dur > 0)
    .sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
  const topLevel: TraceEvent[] = [];
  let end = -Infinity;
  for (const slice of slices) {
    if (slice.ts >= end) {
      topLevel.push(slice);
      end = slice.ts + (slice.dur ?? 0);
    }
  }

  return windows.map((window) => {
    let cpu = 0;
    for (const slice of topLevel) {
      const sliceEnd = slice.ts + (slice.dur ?? 0);
      const overlap = Math.min(sliceEnd, window.end) - Math.max(slice.ts, window.start);
      if (overlap <= 0) continue;
      cpu += (slice.tdur ?? slice.dur ?? 0) * (overlap / (slice.dur ?? 1));
    }
    return { name: window.name, wallMs: (window.end - window.start) / 1000, cpuMs: cpu / 1000 };
  });
}
