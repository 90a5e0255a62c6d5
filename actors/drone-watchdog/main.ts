/** `npm run drone-watchdog -- --help`: the drone watchdog as its own service. */
import '../../runtime/node-version.ts';

import { launch } from '../../runtime/launcher.ts';
import { droneWatchdog } from './actor.ts';

await launch(droneWatchdog);
