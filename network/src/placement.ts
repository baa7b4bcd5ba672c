import { existsSync, readFileSync } from 'node:fs';
import { nativePlacement } from './context';
import { hostsPlacement } from './hosts';
import type { Layout } from './layout';
import type { Placement } from './node-env';
import { TopologyError, type Topology } from './topology';

/** The placements a network can be brought up in on this machine (Compose runs on other machines). */
export type LocalPlacement = 'native' | 'hosts';

export function isLocalPlacement(name: unknown): name is LocalPlacement {
  return name === 'native' || name === 'hosts';
}

/** The placement a network's state records (`up` records it), or undefined before its first `up`. */
export function recordedPlacement(layout: Layout): LocalPlacement | undefined {
  if (!existsSync(layout.stateFile)) return undefined;
  const state = JSON.parse(readFileSync(layout.stateFile, 'utf8')) as { placement?: unknown };
  // Networks created before placements were recorded ran natively.
  return isLocalPlacement(state.placement) ? state.placement : 'native';
}

export function placementFor(name: LocalPlacement, layout: Layout, t: Topology): Placement {
  return name === 'hosts' ? hostsPlacement(layout, t) : nativePlacement(layout);
}

/**
 * The placement of a network instance: the one asked for, which must match what its state records, or else
 * the recorded one (so `down`, `status` and every other command find the nodes where `up` put them).
 */
export function choosePlacement(layout: Layout, t: Topology, asked?: string): Placement {
  if (asked !== undefined && !isLocalPlacement(asked)) {
    throw new TopologyError(`--placement must be native or hosts, not ${asked}`);
  }
  const recorded = recordedPlacement(layout);
  if (asked && recorded && asked !== recorded) {
    throw new TopologyError(
      `this network was created with the ${recorded} placement; run 'scripts/network.sh down --clean' before switching to ${asked}`,
    );
  }
  return placementFor(asked ?? recorded ?? 'native', layout, t);
}
