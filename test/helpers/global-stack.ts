/**
 * Mocha root hooks (loaded by .mocharc.json `require`): stop the shared local stack after the whole run, if a
 * test started it. Nothing here starts emulators.
 */
import { stopSharedStack } from './stack.ts';

/** Root hooks for mocha. */
export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    this.timeout(30_000);
    await stopSharedStack();
  },
};
