/**
 * `npm run gen:services`: writes config/services.json, the deploy declarations of the catalog's actors that
 * Terraform's service catalog reads (terraform/modules/services), formatted as `npm run lint` wants it.
 * actors/catalog.spec.ts fails when it is stale.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

import { format, resolveConfig } from 'prettier';

import { servicesJson } from '../actors/catalog.ts';

const path = fileURLToPath(new URL('../config/services.json', import.meta.url));
const options = (await resolveConfig(path)) ?? {};
writeFileSync(path, await format(servicesJson(), { ...options, filepath: path }));
process.stdout.write(`wrote ${path}\n`);
