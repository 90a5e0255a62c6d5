/**
 * The boundaries as the repository's eslint config enforces them (eslint's own API on the real config), and the
 * rule's decision table on its own, a folder that does not exist yet included: no list of actors to keep.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';

import { ESLint } from 'eslint';

import { areaOf, refusal } from './boundaries.ts';

const REPO = join(import.meta.dirname, '..');

/**
 * The `prestacop/boundaries` messages eslint gives for `code` in place of the file at `path` (an existing file:
 * the type-aware rules need one the project knows; its text on disk is not read).
 */
const refusals = async (eslint: ESLint, path: string, code: string): Promise<string[]> => {
  const [result] = await eslint.lintText(code, { filePath: join(REPO, path) });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'prestacop/boundaries' || m.fatal === true)
    .map((m) => m.message);
};

describe('lint > import boundaries', function () {
  this.timeout(120_000);
  let eslint: ESLint;
  before(() => {
    eslint = new ESLint({ cwd: REPO });
  });

  it("refuses an actor importing another actor's file, through the repository's eslint config", async () => {
    const found = await refusals(
      eslint,
      'actors/alert-system/ports.ts',
      "import { startOperatorConsole } from '../operator-console/service.ts';\n\nexport const x = startOperatorConsole;\n",
    );
    assert.equal(found.length, 1, found.join('\n'));
    assert.match(
      found[0]!,
      /actors\/alert-system may not import actors\/operator-console\/service\.ts: an actor imports no other actor/,
    );
  });

  it('lets an actor import protocol and runtime', async () => {
    const found = await refusals(
      eslint,
      'actors/alert-system/ports.ts',
      "import { AlarmRaised } from '../protocol/alarm.ts';\nimport { E } from '../../runtime/codec.ts';\n\nexport const x = [AlarmRaised, E];\n",
    );
    assert.deepEqual(found, []);
  });

  it('refuses analysis importing actor internals, and runtime importing anything of ours', async () => {
    const analysis = await refusals(
      eslint,
      'analysis/config.ts',
      "export { readers } from '../actors/stream-to-storage/readers.ts';\n",
    );
    assert.match(analysis.join(), /analysis imports no actor internals/);
    const runtime = await refusals(
      eslint,
      'runtime/retry.ts',
      "export const load = () => import('../actors/protocol/alarm.ts');\n",
    );
    assert.match(runtime.join(), /runtime imports nothing of ours/);
  });

  it('decides by path alone, so an actor folder that does not exist yet is guarded too', () => {
    const watchdog = areaOf('actors/drone-watchdog/behaviour.ts');
    assert.deepEqual(watchdog, { kind: 'actor', name: 'drone-watchdog' });
    assert.match(
      refusal(watchdog, areaOf('actors/alert-system/ports.ts'), false) ?? '',
      /no other actor/,
    );
    assert.match(
      refusal(watchdog, areaOf('actors/alert-system/ports.ts'), true) ?? '',
      /no other actor/,
    );
    assert.equal(refusal(watchdog, areaOf('actors/drone-watchdog/ports.ts'), false), undefined);
    assert.equal(refusal(watchdog, areaOf('actors/protocol/alarm.ts'), false), undefined);
    assert.equal(refusal(watchdog, areaOf('runtime/actor.ts'), false), undefined);
    assert.match(
      refusal(watchdog, areaOf('test/helpers/wait-for.ts'), false) ?? '',
      /only its own folder/,
    );
    assert.equal(refusal(watchdog, areaOf('test/helpers/wait-for.ts'), true), undefined); // a spec's helper
    assert.match(
      refusal(areaOf('actors/protocol/alarm.ts'), watchdog, false) ?? '',
      /imports only runtime/,
    );
    assert.match(
      refusal(areaOf('runtime/actor.ts'), areaOf('scripts/swarm.ts'), false) ?? '',
      /nothing of ours/,
    );
    assert.equal(refusal(areaOf('scripts/swarm.ts'), watchdog, false), undefined); // scripts wire actors
    assert.equal(refusal(areaOf('test/faults/actors.ts'), watchdog, false), undefined);
  });
});
