/**
 * `npm run gen:athena-sql`: rewrites analysis/athena/queries/*.sql, views/*.sql and glue-tables.json from the
 * statistics and the relations (generate.ts), removing files no statistic or relation gives any more.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

import { ATHENA_DIR, athenaFiles } from './generate.ts';

const files = athenaFiles();
for (const folder of ['queries', 'views'])
  for (const f of readdirSync(join(ATHENA_DIR, folder), { withFileTypes: true }).filter((e) =>
    e.name.endsWith('.sql'),
  ))
    if (!files.has(`${folder}/${f.name}`)) rmSync(join(ATHENA_DIR, folder, f.name));
for (const [path, sql] of files) {
  mkdirSync(dirname(join(ATHENA_DIR, path)), { recursive: true });
  writeFileSync(join(ATHENA_DIR, path), sql);
}
process.stdout.write(`gen:athena-sql: ${files.size} files in ${ATHENA_DIR}\n`);
