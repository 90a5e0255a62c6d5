import assert from 'node:assert/strict';

import {
  droneSimulator,
  fleetOptions,
  simulatorOptions,
} from '../../actors/drone-simulator/actor.ts';
import { operatorConsole } from '../../actors/operator-console/actor.ts';
import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { commandOfActor } from '../../runtime/launcher.ts';
import { swarmCommand } from './config.ts';

describe('Swarm > config', () => {
  it('declares the fleet options as the drone simulator does', () => {
    const swarm = swarmCommand.options;
    for (const [flag, spec] of Object.entries(fleetOptions.specs)) {
      assert.deepEqual(swarm[flag], spec, flag);
      assert.deepEqual(simulatorOptions.specs[flag], spec, flag);
    }
  });

  it("declares the console's and the shared resources' options as the console does", () => {
    const console = commandOfActor(operatorConsole).options;
    for (const [swarmFlag, consoleFlag] of [
      ['escalate-after-seconds', 'escalate-after-seconds'],
      ['alarm-events-table', 'events-table'],
      ['topic', 'topic'],
      ['region', 'region'],
    ] as const)
      assert.deepEqual(swarmCommand.options[swarmFlag], console[consoleFlag], swarmFlag);
  });

  it('refuses a violation rate below the alarm rate, naming the flag, in the swarm and the simulator', () => {
    const argv = ['--alarm-rate', '0.5', '--violation-rate', '0.1'];
    const cfg = loadConfig(swarmCommand, argv, {});
    assert.ok(E.isLeft(cfg) && cfg.left._tag === 'ConfigError');
    assert.match(
      cfg.left.issues.join('\n'),
      /violationRate.*must be >= --alarm-rate.*--violation-rate/,
    );
    const simulator = loadConfig(commandOfActor(droneSimulator), argv, {});
    assert.ok(E.isLeft(simulator) && simulator.left._tag === 'ConfigError');
    assert.match(simulator.left.issues.join('\n'), /must be >= --alarm-rate/);
    assert.ok(E.isRight(loadConfig(swarmCommand, ['--alarm-rate', '0.1'], {})));
  });
});
