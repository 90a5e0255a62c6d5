/**
 * `npm run csv-to-stream -- --file PATH [--file PATH ...] [--dry-run] [--restart] [--summary FILE] [--rejects FILE]`
 * (`--help` for every option): imports NYPD CSV files into the history stream, then exits with a summary and an
 * exit code (`actor.ts`).
 */
import '../../runtime/node-version.ts';

import { launch } from '../../runtime/launcher.ts';
import { csvToStream } from './actor.ts';

await launch(csvToStream);
