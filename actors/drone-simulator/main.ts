/** `npm run drone-simulator -- --help`: the fleet as its own service, publishing to the drone stream. */
import '../../runtime/node-version.ts';

import { launch } from '../../runtime/launcher.ts';
import { droneSimulator } from './actor.ts';

await launch(droneSimulator);
