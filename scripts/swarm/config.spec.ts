import assert from 'node:assert/strict';

import {
  droneSimulator,
  fleetOptions,
  simulatorOptions,
} from '../../actors/drone-simulator/actor.ts';
import { E } from '../../runtime/codec.ts';
import { loadConfig } from '../../runtime/config.ts';
import { commandOfActor } from '../../runtime/launcher.ts';
import { swarmCommand } from './config.ts';

const names = {
  droneStream: 'd',
  historyStream: 'h',
  messagesTable: 'm',
  leaseTable: 'l',
  bucket: 'b',
  alarmsTable: 'a',
  topic: 't',
  alarmEventsTable: 'e',
};

describe('Swarm > config', () => {
  it('declares the fleet options as the drone simulator does', () => {
    const swarm = swarmCommand(names).options;
    for (const [flag, spec] of Object.entries(fleetOptions.specs)) {
      assert.deepEqual(swarm[flag], spec, flag);
      assert.deepEqual(simulatorOptions.specs[flag], spec, flag);
    }
  });

  it('refuses a violation rate below the alarm rate, naming the flag, in the swarm and the simulator', () => {
    const argv = ['--alarm-rate', '0.5', '--violation-rate', '0.1'];
    const cfg = loadConfig(swarmCommand(names), argv, {});
    assert.ok(E.isLeft(cfg) && cfg.left._tag === 'ConfigError');
    assert.match(
      cfg.left.issues.join('\n'),
      /violationRate.*must be >= --alarm-rate.*--violation-rate/,
    );
    const simulator = loadConfig(commandOfActor(droneSimulator), argv, {});
    assert.ok(E.isLeft(simulator) && simulator.left._tag === 'ConfigError');
    assert.match(simulator.left.issues.join('\n'), /must be >= --alarm-rate/);
    assert.ok(E.isRight(loadConfig(swarmCommand(names), ['--alarm-rate', '0.1'], {})));
  });
});
