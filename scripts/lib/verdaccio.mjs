/**
 * A real Verdaccio (the devDependency, 6.x) on loopback, for tests that prove the plugin against a private registry.
 *
 * What Verdaccio does with publish times (read from its 6.8 sources and checked by tests/integration/verdaccio.test.ts):
 *
 * - Storage: one folder per package, `<storage>/<name>/package.json` (`<storage>/@scope/name/package.json` for scoped
 *   names) next to the tarballs (`<name-without-scope>-<version>.tgz`). The file is the full packument plus Verdaccio's
 *   bookkeeping (`_uplinks`, `_distfiles`, `_attachments`, `_rev`). A publish stamps `time[version]`, `time.modified`
 *   (and `time.created` on the first one) with the server's clock: a client cannot choose the publish time.
 * - Reads go to the disk on every request (local-storage-legacy's `readPackage` has no in-memory cache), so editing
 *   `time[version]` in that file is served by the next request: no restart and no cache bust. Only `time` matters;
 *   `_rev` is checked on writes (unpublish, deprecate), never on reads, and `_attachments` is blanked when serving.
 *   The packument's ETag is a hash of the body, so it changes with the edit; and Verdaccio never answers 304 to an
 *   If-None-Match for a packument (checked), so a client holding a cached copy (Yarn's ETag cache) gets the new times.
 *   `setPublishTime` therefore rewrites `time[version]`, pulls `time.created` down to the oldest version time (as a
 *   registry that saw that publish would have it) and writes the file atomically (temp file + rename).
 * - Both the full packument (what Yarn 4 reads: it sends no Accept header) and the abbreviated one (Accept:
 *   application/vnd.npm.install-v1+json, what npm and pnpm ask for) carry the `time` map: Verdaccio keeps it in the
 *   abbreviated document for pnpm's sake.
 * - Proxied packages: on a sync Verdaccio asks the uplink for the full packument (Accept: application/json) and merges
 *   `time` as `{...local.time, ...uplink.time}`: the upstream values pass through unchanged (the uplink wins every
 *   conflict), but keys the uplink no longer has stay, as do versions (`mergeVersions` only adds). A version pulled
 *   upstream is therefore still served by a Verdaccio that cached it. The merged document is written back into
 *   storage, so `setPublishTime` on a proxied package is overwritten by the next sync: control the time at the uplink.
 *   Within `maxage` (default 2m) of a sync Verdaccio answers from its copy without asking; this harness sets
 *   `maxage: 0s` so every request goes upstream and a test's changes to the uplink are seen at once.
 *
 * Publishing needs no login step: the generated config grants `publish: $all`, which lets anonymous PUTs through (the
 * htpasswd file stays empty); `publish()` sends what `npm publish` sends, the manifest with the tarball attached.
 *
 * The process: `node <verdaccio bin>` in its own process group, with a generated config in a temp dir (storage,
 * htpasswd, config.yaml written as JSON, which is YAML), listening on 127.0.0.1 on a free port, web UI off, JSON
 * log at level `http` on stdout, parsed into a request log. `close()` kills the group and removes the temp dir; an
 * exit hook kills it if the test process ends first, and a stdin watchdog makes Verdaccio exit when its parent dies
 * without running hooks (the pipe closes).
 */

import {spawn} from 'node:child_process';
import {createHash} from 'node:crypto';
import {readFileSync, rmSync} from 'node:fs';
import {mkdtemp, readFile, rename, rm, writeFile} from 'node:fs/promises';
import {createRequire} from 'node:module';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';

import {buildTarball} from './registry.mjs';

/**
 * @typedef {import('./registry.mjs').VersionSpec} VersionSpec
 * @typedef {import('./registry.mjs').PackageSpec} PackageSpec
 *
 * @typedef {VersionSpec & {name: string, version: string, tag?: string}} PublishSpec
 * One version to publish. `tag` is the dist-tag it gets (default `latest`). `publishedAt`, when given, is written
 * into storage after the publish (`setPublishTime`; null removes the entry); left out, the version keeps the time
 * Verdaccio stamped, i.e. now (unlike registry.mjs, where it means long ago). `files` are added to the tarball next to
 * package.json and index.js; other fields go into the version manifest.
 *
 * @typedef {{
 *   method: string, path: string, status: number | null,
 *   kind: 'packument' | 'tarball' | 'other', name: string | null, file: string | null,
 * }} VerdaccioRequest
 * A request Verdaccio received, from its HTTP log; `path` is the URL as the client sent it (Yarn asks for
 * `/@scope%2fname/-/name-1.0.0.tgz`, npm for `/@scope/name/-/name-1.0.0.tgz`); `name` is the decoded package name and
 * `file` the tarball's file name (`name-1.0.0.tgz`, null for other requests); `status` is null until the answer is
 * logged (when the same URL was asked for several times at once, the answers may be attributed to the latest of them).
 *
 * @typedef {{uplink?: string, packages?: PackageSpec[], maxage?: string, startTimeoutMs?: number}} VerdaccioOptions
 * `uplink`: URL of an upstream registry; every package outside `@private/*` is proxied to it. Without it Verdaccio
 * serves only what was published to it. `packages`: published before the promise resolves, versions in the order the
 * spec lists them, each tagged with its `distTags` entry or `latest`.
 * `maxage`: how long Verdaccio trusts its copy of an uplink packument (`0s` by default here, `2m` in Verdaccio).
 */

const require = createRequire(import.meta.url);

/** The package's own bin, whatever its path in this Verdaccio release. */
function verdaccioBin() {
  const manifestPath = require.resolve(`verdaccio/package.json`);
  const {bin} = JSON.parse(readFileSync(manifestPath, `utf8`));
  return join(dirname(manifestPath), typeof bin === `string` ? bin : bin.verdaccio);
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once(`error`, reject);
    server.listen(0, `127.0.0.1`, () => resolve(undefined));
  });
  const address = server.address();
  await new Promise(resolve => server.close(() => resolve(undefined)));
  if (!address || typeof address === `string`) throw new Error(`Unexpected server address`);
  return address.port;
}

/**
 * Makes Verdaccio exit when its parent goes away without closing it (stdin reaches EOF), removing the temp dir that
 * close() would have removed.
 */
const WATCHDOG = `'use strict';
const orphaned = () => {
  try {
    require('node:fs').rmSync(process.env.QUARANTINE_VERDACCIO_DIR, {recursive: true, force: true});
  } catch {}
  process.exit(0);
};
process.stdin.on('end', orphaned);
process.stdin.on('error', orphaned);
process.stdin.resume();
`;

/** @param {string} name */
const basename = name => name.slice(name.indexOf(`/`) + 1);

/** @param {string} s */
function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** @param {string} path @returns {{kind: VerdaccioRequest['kind'], name: string | null, file: string | null}} */
function classify(path) {
  const decoded = safeDecode(path.split(`?`)[0]);
  const m = /^\/((?:@[^/]+\/)?[^/@-][^/]*)(?:\/-\/([^/]+\.tgz))?\/?$/.exec(decoded);
  if (!m) return {kind: `other`, name: null, file: null};
  return {kind: m[2] === undefined ? `packument` : `tarball`, name: m[1], file: m[2] ?? null};
}

/** @param {import('node:child_process').ChildProcess} child @param {NodeJS.Signals} signal */
function killGroup(child, signal) {
  if (!child.pid || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}

/** Running Verdaccios and their temp dirs, for the exit hook. @type {Map<import('node:child_process').ChildProcess, string>} */
const running = new Map();
let exitHookInstalled = false;

function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on(`exit`, () => {
    for (const [child, dir] of running) {
      killGroup(child, `SIGKILL`);
      rmSync(dir, {recursive: true, force: true});
    }
  });
}

/** @param {VerdaccioOptions} [options] */
export async function startVerdaccio(options = {}) {
  const {uplink, packages = [], maxage = `0s`, startTimeoutMs = 30_000} = options;
  const dir = await mkdtemp(join(tmpdir(), `quarantine-verdaccio-`));
  const storage = join(dir, `storage`);
  const watchdog = join(dir, `watchdog.cjs`);
  await writeFile(watchdog, WATCHDOG);
  await writeFile(join(dir, `htpasswd`), ``);

  /** @type {import('node:child_process').ChildProcess | null} */
  let child = null;
  let url = ``;
  /** @type {VerdaccioRequest[]} */
  const requests = [];
  let output = ``;
  /** @type {Set<() => void>} */
  const logWaiters = new Set();

  /**
   * Verdaccio logs each incoming request once on arrival (`sub: in`, `req`), and its answer (`request`, `status`)
   * when the response finishes, twice (on `finish` and `close`); requests to uplinks are `sub: out` and not kept here.
   * @param {string} line
   */
  function onLogLine(line) {
    let entry;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry?.sub !== `in`) return;
    if (entry.req && typeof entry.req.url === `string` && typeof entry.req.method === `string`) {
      requests.push({method: entry.req.method, path: entry.req.url, status: null, ...classify(entry.req.url)});
      for (const waiter of logWaiters) waiter();
    } else if (entry.request && typeof entry.status === `number`) {
      // The first of the two lines can carry a provisional 200 (a 404 logs 200, then 404): the last one wins.
      const match = requests.findLast(request => request.method === entry.request.method && request.path === entry.request.url);
      if (match) match.status = entry.status;
    }
  }

  /** @param {number} port */
  async function launch(port) {
    const config = {
      storage,
      listen: `127.0.0.1:${port}`,
      web: {enable: false},
      auth: {htpasswd: {file: join(dir, `htpasswd`), max_users: -1}},
      uplinks: uplink ? {upstream: {url: uplink, maxage, timeout: `10s`, max_fails: 100, fail_timeout: `1s`, cache: true}} : {},
      packages: {
        '@private/*': {access: `$all`, publish: `$all`, unpublish: `$all`},
        '**': {access: `$all`, publish: `$all`, unpublish: `$all`, ...(uplink ? {proxy: `upstream`} : {})},
      },
      publish: {allow_offline: true},
      server: {keepAliveTimeout: 5},
      log: {type: `stdout`, format: `json`, level: `http`},
      max_body_size: `50mb`,
    };
    const configPath = join(dir, `config.yaml`);
    await writeFile(configPath, `${JSON.stringify(config, null, 2)}\n`);

    const proc = spawn(process.execPath, [`--require`, watchdog, verdaccioBin(), `--config`, configPath], {
      cwd: dir,
      env: {...process.env, NODE_ENV: `production`, FORCE_COLOR: `0`, NO_COLOR: `1`, DEBUG: ``, QUARANTINE_VERDACCIO_DIR: dir},
      stdio: [`pipe`, `pipe`, `pipe`],
      // A process group of its own, so close() reaches anything Verdaccio spawned.
      detached: true,
    });
    running.set(proc, dir);
    installExitHook();
    proc.on(`exit`, () => running.delete(proc));
    // Keep the test process free to exit on its own; the exit hook still kills the group.
    proc.unref();
    let pending = ``;
    proc.stdout?.setEncoding(`utf8`).on(`data`, chunk => {
      output += chunk;
      pending += chunk;
      const lines = pending.split(`\n`);
      pending = lines.pop() ?? ``;
      for (const line of lines) onLogLine(line);
    });
    proc.stderr?.setEncoding(`utf8`).on(`data`, chunk => {
      output += chunk;
    });
    for (const stream of [proc.stdin, proc.stdout, proc.stderr]) /** @type {any} */ (stream)?.unref?.();
    return proc;
  }

  /** @param {import('node:child_process').ChildProcess} proc @param {string} base */
  async function waitReady(proc, base) {
    const deadline = Date.now() + startTimeoutMs;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null || proc.signalCode !== null) return false;
      try {
        const response = await fetch(`${base}/-/ping`, {signal: AbortSignal.timeout(2_000)});
        if (response.ok) return true;
      } catch {}
      await new Promise(resolve => setTimeout(resolve, 100));
    }
    throw new Error(`Verdaccio did not answer /-/ping within ${startTimeoutMs}ms:\n${output}`);
  }

  async function stop() {
    const proc = child;
    child = null;
    if (!proc) return;
    const exited = new Promise(resolve => {
      if (proc.exitCode !== null || proc.signalCode !== null) resolve(undefined);
      else proc.once(`exit`, () => resolve(undefined));
    });
    killGroup(proc, `SIGTERM`);
    const timer = setTimeout(() => killGroup(proc, `SIGKILL`), 3_000);
    await exited;
    clearTimeout(timer);
    // Whatever else is left in the group (nothing, normally).
    if (proc.pid) {
      try {
        process.kill(-proc.pid, `SIGKILL`);
      } catch {}
    }
    proc.stdin?.destroy();
    proc.stdout?.destroy();
    proc.stderr?.destroy();
  }

  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      child = await launch(port);
      if (await waitReady(child, base)) {
        url = base;
        break;
      }
      // It exited before answering: most likely the port was taken between freePort() and listen.
      await stop();
      if (attempt >= 3) throw new Error(`Verdaccio exited before it was ready:\n${output}`);
    }
  } catch (error) {
    await stop();
    await rm(dir, {recursive: true, force: true});
    throw error;
  }

  /** @param {string} name */
  const packageFile = name => join(storage, ...name.split(`/`), `package.json`);

  /** @param {string} name @returns {Promise<Record<string, any>>} */
  const readStored = async name => JSON.parse(await readFile(packageFile(name), `utf8`));

  /** @param {string} name @param {Record<string, any>} doc */
  async function writeStored(name, doc) {
    const target = packageFile(name);
    const temp = `${target}.quarantine-${process.pid}-${Math.random().toString(36).slice(2)}`;
    await writeFile(temp, JSON.stringify(doc, null, `\t`));
    await rename(temp, target);
  }

  /**
   * Sets the stored publish time of a version (null removes it from `time`, as a registry that keeps no publish
   * times would serve it); Verdaccio serves it from the next request on.
   * @param {string} name @param {string} version @param {string | Date | null} iso
   */
  async function setPublishTime(name, version, iso) {
    const doc = await readStored(name);
    if (!doc.versions?.[version]) throw new Error(`Verdaccio does not store ${name}@${version}`);
    /** @type {Record<string, string>} */
    const time = {...doc.time};
    if (iso === null) delete time[version];
    else time[version] = new Date(iso).toISOString();
    const versionTimes = Object.keys(doc.versions).map(v => time[v]).filter(t => typeof t === `string`).sort();
    if (versionTimes.length > 0 && (!time.created || time.created > versionTimes[0])) time.created = versionTimes[0];
    doc.time = time;
    await writeStored(name, doc);
  }

  /**
   * Publishes one version the way `npm publish` does (one PUT carrying the manifest and the tarball).
   * @param {PublishSpec} spec
   */
  async function publish(spec) {
    const {name, version, tag = `latest`, publishedAt, files = {}, ...fields} = spec;
    const manifest = {name, version, ...fields};
    const tarball = buildTarball({
      [`package/package.json`]: JSON.stringify(manifest, null, 2),
      [`package/index.js`]: `module.exports = ${JSON.stringify({name, version})};\n`,
      ...Object.fromEntries(Object.entries(/** @type {Record<string, string>} */ (files)).map(([path, content]) => [`package/${path}`, content])),
    });
    const filename = `${basename(name)}-${version}.tgz`;
    const body = {
      _id: name,
      name,
      'dist-tags': {[tag]: version},
      versions: {
        [version]: {
          _id: `${name}@${version}`,
          ...manifest,
          dist: {
            tarball: `${url}/${name}/-/${filename}`,
            shasum: createHash(`sha1`).update(tarball).digest(`hex`),
            integrity: `sha512-${createHash(`sha512`).update(tarball).digest(`base64`)}`,
          },
        },
      },
      _attachments: {[`${name}-${version}.tgz`]: {content_type: `application/octet-stream`, data: tarball.toString(`base64`), length: tarball.length}},
    };
    const response = await fetch(`${url}/${name.replace(`/`, `%2f`)}`, {
      method: `PUT`,
      headers: {'content-type': `application/json`},
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`Publishing ${name}@${version} to Verdaccio failed: ${response.status} ${await response.text()}`);
    if (publishedAt !== undefined) await setPublishTime(name, version, publishedAt);
  }

  /** Resolves once every request answered so far is in `requests` (the log is written asynchronously). */
  async function syncLog() {
    const marker = `/-/ping?sync=${Math.random().toString(36).slice(2)}`;
    const seen = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        logWaiters.delete(check);
        reject(new Error(`Verdaccio's log did not show ${marker}`));
      }, 5_000);
      const check = () => {
        if (requests.some(request => request.path === marker)) {
          clearTimeout(timer);
          logWaiters.delete(check);
          resolve(undefined);
        }
      };
      logWaiters.add(check);
    });
    await fetch(`${url}${marker}`);
    await seen;
    requests.splice(requests.findIndex(request => request.path === marker), 1);
  }

  const verdaccio = {
    url,
    storage,
    /** Verdaccio's HTTP log, parsed; call `syncLog()` first to be sure the latest requests are in. */
    requests,
    syncLog,
    clearRequests: () => {
      requests.splice(0);
    },
    /** Requests for tarballs, after `syncLog()`. @param {string} [name] */
    tarballRequests: async name => {
      await syncLog();
      return requests.filter(request => request.kind === `tarball` && (name === undefined || request.name === name));
    },
    /** Everything Verdaccio printed (stdout and stderr), for failure messages. */
    output: () => output,
    publish,
    setPublishTime,
    /** The stored packument of a package, as Verdaccio keeps it on disk. @param {string} name */
    stored: readStored,
    close: async () => {
      await stop();
      await rm(dir, {recursive: true, force: true});
    },
  };

  try {
    for (const spec of packages) {
      for (const [version, versionSpec] of Object.entries(spec.versions ?? {})) {
        const tag = Object.entries(spec.distTags ?? {}).find(([, v]) => v === version)?.[0];
        await publish({...versionSpec, name: spec.name, version, ...(tag ? {tag} : {})});
      }
    }
  } catch (error) {
    await verdaccio.close();
    throw error;
  }

  return verdaccio;
}

/** @typedef {Awaited<ReturnType<typeof startVerdaccio>>} Verdaccio */
