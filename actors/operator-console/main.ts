/** `npm run operator-console -- --help`: the operator console as its own service, against any target. */
import '../../runtime/node-version.ts';

import { launch } from '../../runtime/launcher.ts';
import { operatorConsole } from './actor.ts';

await launch(operatorConsole);
