/** `npm run alert-system -- --help`: the alert system as its own service, against any target. */
import '../../runtime/node-version.ts';

import { launch } from '../../runtime/launcher.ts';
import { alertSystemActor } from './actor.ts';

await launch(alertSystemActor);
