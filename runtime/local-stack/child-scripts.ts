/**
 * The small plain-JS programs the node emulators run in. They are plain CommonJS on purpose: run under tsx each
 * child would pay ~250 ms of start-up and keep an esbuild helper process in its group. They live here as text
 * (written to the cache folder, named by content hash) because the repository's lint covers only TypeScript.
 * Module paths are resolved by the parent and passed in, so the scripts work from any folder.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * `node -r` preload. kinesalite's CLI and fauxqs's `startFauxqs` listen on every interface (fauxqs hardcodes
 * `host: "0.0.0.0"`); this rewrites any-address hosts of `net.Server#listen` to 127.0.0.1, covering the
 * `listen(options)`, `listen(port, host?, backlog?, cb?)` forms. Pipes, fds and handles pass through.
 */
const LOOPBACK_PRELOAD = `'use strict';
const net = require('node:net');
const LOOPBACK = '127.0.0.1';
const isAny = (h) => h === undefined || h === null || h === '' || h === '0.0.0.0' || h === '::';
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const first = args[0];
  if (first !== null && typeof first === 'object') {
    const other = first.path !== undefined || first.fd !== undefined || first._handle !== undefined
      || first.handle !== undefined;
    if (!other && isAny(first.host)) args[0] = { ...first, host: LOOPBACK };
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\\d+$/.test(first))) {
    if (typeof args[1] === 'string') { if (isAny(args[1])) args[1] = LOOPBACK; }
    else args.splice(1, 0, LOOPBACK);
  }
  return listen.apply(this, args);
};
`;

/** argv: kinesalite module path, port, LevelDB folder, shard limit. */
const KINESALITE_MAIN = `'use strict';
const [modulePath, port, path, shardLimit] = process.argv.slice(2);
// 50 ms state changes instead of 500: tests create and delete streams all the time.
const server = require(modulePath)({
  path, createStreamMs: 50, deleteStreamMs: 50, updateStreamMs: 50, shardLimit: Number(shardLimit),
});
server.listen(Number(port), '127.0.0.1', () => {
  console.log('kinesalite ' + process.pid + ' listening on 127.0.0.1:' + port + ', data in ' + path);
});
`;

/**
 * argv: fauxqs module URL (it is ESM-only), port, default region. Its app is built here rather than by
 * `startFauxqs`, for one reason: queue URLs. fauxqs names them `http://sqs.<region>.localhost:<port>/...` by
 * default, a host that does not resolve on most machines, so a queue URL a tool gets back from the stack could not
 * be used as returned. Its SQS store with an empty `host` names the host the client called instead
 * (`http://127.0.0.1:<port>/000000000000/<queue>`), and the store class is reached by its file (the package
 * exports only its app), which fixes fauxqs to the 1.x layout: runtime/local-stack tests cover it.
 */
const FAUXQS_MAIN = `'use strict';
const [moduleUrl, port, region] = process.argv.slice(2);
Promise.all([import(moduleUrl), import(new URL('./sqs/sqsStore.js', moduleUrl).href)])
  .then(async ([{ buildApp }, { SqsStore }]) => {
    const sqsStore = new SqsStore();
    sqsStore.host = '';
    const app = buildApp({ logger: false, defaultRegion: region, stores: { sqsStore } });
    const address = await app.listen({ port: Number(port), host: '127.0.0.1' });
    console.log('fauxqs ' + process.pid + ' listening on ' + address);
  })
  .catch((err) => { console.error(err); process.exit(1); });
`;

/** Paths of the written scripts. */
export interface ChildScripts {
  readonly loopbackPreload: string;
  readonly kinesaliteMain: string;
  readonly fauxqsMain: string;
}

/**
 * Writes the scripts into `cacheDir` unless this version is already there, and returns their paths.
 * @example spawn(process.execPath, ['-r', scripts.loopbackPreload, scripts.fauxqsMain, url, '4571', 'us-east-1']);
 */
export const writeChildScripts = (cacheDir: string): ChildScripts => {
  mkdirSync(cacheDir, { recursive: true });
  const write = (name: string, text: string): string => {
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
    const path = join(cacheDir, `${name}-${hash}.cjs`);
    // Named by content hash and renamed into place: a concurrent starter never runs a half-written file.
    if (!existsSync(path)) {
      writeFileSync(`${path}.${process.pid}.tmp`, text);
      renameSync(`${path}.${process.pid}.tmp`, path);
    }
    return path;
  };
  return {
    loopbackPreload: write('loopback-preload', LOOPBACK_PRELOAD),
    kinesaliteMain: write('kinesalite-main', KINESALITE_MAIN),
    fauxqsMain: write('fauxqs-main', FAUXQS_MAIN),
  };
};
