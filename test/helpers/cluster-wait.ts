// Waiting for what a control plane's watch brings: a condition checked now
// and after every change the plane applies, with a deadline.

import type { ControlPlane } from '../../src/cluster/control-plane.js';

export const CLUSTER_WAIT_MS = 15_000;

/** Resolves once `holds()` is true, checked now and after every change `plane` applies; fails after `ms`. */
export function untilCluster(plane: ControlPlane, holds: () => boolean, what: string, ms = CLUSTER_WAIT_MS): Promise<void> {
  if (holds()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`not within ${ms} ms: ${what}`));
    }, ms);
    const stop = plane.onChange(() => {
      if (!holds()) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}
