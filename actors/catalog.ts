/**
 * The declared actors (runtime/launcher.ts), in one list the wiring derives from: the swarm starts every actor it
 * does not wire by hand from here (`inSwarm`), and the fault suite starts each as its own process and kills it in a
 * `kill-<name>` scenario (`inFaultSuite`). Adding a declared actor is its folder, one entry here, and its Terraform
 * catalog entry (modules/services: ops port, env, IAM). The storage writer and the alert system are declared too;
 * the swarm and the suite keep their own wiring for them (counts, several workers).
 */
import { type Launchable, launchable } from '../runtime/launcher.ts';
import { alertSystemActor } from './alert-system/actor.ts';
import { droneWatchdog } from './drone-watchdog/actor.ts';
import { streamToStorage } from './stream-to-storage/actor.ts';

export interface CatalogEntry {
  readonly actor: Launchable;
  /** The swarm starts it from its declaration (false: the swarm wires it by hand). */
  readonly inSwarm: boolean;
  /** The fault suite runs it as a process of its own, with a `kill-<name>` scenario. */
  readonly inFaultSuite: boolean;
}

export const CATALOG: ReadonlyArray<CatalogEntry> = [
  { actor: launchable(streamToStorage), inSwarm: false, inFaultSuite: false },
  { actor: launchable(alertSystemActor), inSwarm: false, inFaultSuite: false },
  { actor: launchable(droneWatchdog), inSwarm: true, inFaultSuite: true },
];
