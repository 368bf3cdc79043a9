// The idle-loop probe's process (event-loop-delay.ts startIdleLoopProbe): a
// perf_hooks histogram of its own event loop at the resolution given as its
// argument, reset and read on the parent's request; nothing else runs here.

import { monitorEventLoopDelay } from 'node:perf_hooks';

const resolutionMs = Number(process.argv[2]);
const histogram = monitorEventLoopDelay({ resolution: resolutionMs });
histogram.enable();
/** Beyond the sampling interval, in ms: an idle loop reads the interval itself. */
const late = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);

process.on('message', (command) => {
  if (command === 'reset') {
    histogram.reset();
    process.send!(null);
  } else if (command === 'read') {
    process.send!({ p50Ms: late(histogram.percentile(50)), p99Ms: late(histogram.percentile(99)), maxMs: late(histogram.max) });
  }
});
process.on('disconnect', () => process.exit(0));
