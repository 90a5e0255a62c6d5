/** `npm run stream-to-storage -- --help`: the storage writer as its own service. */
import '../../runtime/node-version.ts';

import { launch } from '../../runtime/launcher.ts';
import { streamToStorage } from './actor.ts';

await launch(streamToStorage);
