import {spawn} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), `..`, `..`);
export const BUNDLE = join(REPO_ROOT, `bundles`, `@yarnpkg`, `plugin-quarantine.js`);

/** @param {string} [version] `default` is the repository's @yarnpkg/cli-dist; others come from a `yarn-<version>` alias */
export function yarnBinary(version = `default`) {
  const path = version === `default`
    ? join(REPO_ROOT, `node_modules`, `@yarnpkg`, `cli-dist`, `bin`, `yarn.js`)
    : join(REPO_ROOT, `node_modules`, `yarn-${version}`, `bin`, `yarn.js`);
  if (!existsSync(path)) {
    const hint = version === `default`
      ? `run an install in ${REPO_ROOT}`
      : `add "yarn-${version}": "npm:@yarnpkg/cli-dist@${version}" to devDependencies and install`;
    throw new Error(`Yarn ${version} is not available at ${path}: ${hint}`);
  }
  return path;
}

/** @type {Map<string, boolean>} */
const ageGateSupport = new Map();

/** Whether this Yarn binary knows the `npmMinimalAgeGate` setting. @param {string} binary */
export function hasBuiltinAgeGate(binary) {
  let known = ageGateSupport.get(binary);
  if (known === undefined) {
    known = readFileSync(binary, `latin1`).includes(`npmMinimalAgeGate`);
    ageGateSupport.set(binary, known);
  }
  return known;
}

/** @param {string} s */
export function stripAnsi(s) {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g, ``);
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** @param {unknown} v */
const isLeaf = v => v === null || typeof v !== `object` || Object.keys(/** @type {object} */ (v)).length === 0;

/** @param {unknown} v */
function yamlScalar(v) {
  if (Array.isArray(v)) return `[]`;
  if (v !== null && typeof v === `object`) return `{}`;
  if (typeof v === `string`) return JSON.stringify(v);
  return String(v);
}

/**
 * Enough YAML for .yarnrc.yml: mappings, sequences, JSON-quoted strings, numbers, booleans, null.
 * @param {Record<string, unknown> | unknown[]} value
 * @param {string} [pad]
 * @returns {string}
 */
export function toYaml(value, pad = ``) {
  if (Array.isArray(value)) {
    return value.map(item => isLeaf(item)
      ? `${pad}- ${yamlScalar(item)}`
      : `${pad}- ${toYaml(/** @type {any} */ (item), `${pad}  `).slice(pad.length + 2)}`,
    ).join(`\n`);
  }
  return Object.entries(value)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => {
      const key = PLAIN_KEY.test(k) ? k : JSON.stringify(k);
      return isLeaf(v) ? `${pad}${key}: ${yamlScalar(v)}` : `${pad}${key}:\n${toYaml(/** @type {any} */ (v), `${pad}  `)}`;
    })
    .join(`\n`);
}

/**
 * @typedef {{code: number | null, signal: NodeJS.Signals | null, timedOut: boolean, stdout: string, stderr: string, output: string, rawStdout: string}} RunResult
 * `code` is null when the process was killed (see `signal`/`timedOut`); stdout/stderr are ANSI-stripped.
 *
 * @typedef {{env?: Record<string, string | undefined>, yarn?: string, timeoutMs?: number, wrapper?: string[]}} RunOptions
 * An `env` value of undefined removes the variable. `wrapper` is a command line that Node and Yarn are appended to
 * (e.g. `['/usr/bin/time', '-f', '%M', '-o', file]` to measure peak memory).
 *
 * @typedef {{
 *   registry?: {url: string},
 *   manifest?: Record<string, unknown>,
 *   yarnrc?: Record<string, unknown>,
 *   plugin?: boolean,
 *   files?: Record<string, string>,
 *   yarn?: string,
 *   parentYarnrc?: Record<string, unknown>,
 *   homeYarnrc?: Record<string, unknown>,
 *   noProject?: boolean,
 * }} ProjectOptions
 * `yarn`: the Yarn release `run` uses unless told otherwise (`default` is the pinned one).
 * `parentYarnrc`: the project is made inside a folder of its own whose `.yarnrc.yml` holds these settings.
 * `homeYarnrc`: the `.yarnrc.yml` of the HOME folder `run` uses.
 * `noProject`: `dir` is an empty folder, outside any project (no package.json, no .yarnrc.yml).
 */

/** @param {ProjectOptions} [options] */
export async function createProject({registry, manifest, yarnrc = {}, plugin = true, files = {}, yarn: projectYarn = `default`, parentYarnrc, homeYarnrc, noProject = false} = {}) {
  const envRoot = await mkdtemp(join(tmpdir(), `quarantine-env-`));
  const globalFolder = join(envRoot, `global`);
  const home = join(envRoot, `home`);
  await mkdir(globalFolder);
  await mkdir(home);
  if (homeYarnrc) await writeFile(join(home, `.yarnrc.yml`), `${toYaml(homeYarnrc)}\n`);
  const parent = parentYarnrc ? await mkdtemp(join(tmpdir(), `quarantine-parent-`)) : null;
  if (parent) await writeFile(join(parent, `.yarnrc.yml`), `${toYaml(parentYarnrc ?? {})}\n`);
  const dir = parent ? join(parent, `app`) : await mkdtemp(join(tmpdir(), `quarantine-`));
  await mkdir(dir, {recursive: true});

  /** @type {Record<string, unknown>} */
  let settings = {
    ...(plugin ? {plugins: [{path: BUNDLE}]} : {}),
    enableGlobalCache: false,
    enableTelemetry: false,
    nodeLinker: `node-modules`,
    ...(registry ? {npmRegistryServer: registry.url} : {}),
    unsafeHttpWhitelist: [`127.0.0.1`, `localhost`],
    ...yarnrc,
  };
  /** @type {Record<string, unknown>} */
  let pkg = manifest ?? {name: `app`, version: `1.0.0`, private: true};

  /** @param {string} rel */
  const abs = rel => join(dir, rel);
  /** @param {string} rel @param {string | Buffer} content */
  const put = async (rel, content) => {
    await mkdir(dirname(abs(rel)), {recursive: true});
    await writeFile(abs(rel), content);
  };
  const writeYarnrc = () => put(`.yarnrc.yml`, `${toYaml(settings)}\n`);
  const writeManifest = () => put(`package.json`, `${JSON.stringify(pkg, null, 2)}\n`);

  if (!noProject) {
    await writeManifest();
    await writeYarnrc();
  }
  for (const [rel, content] of Object.entries(files)) await put(rel, content);

  return {
    dir,
    parent,
    globalFolder,
    home,
    /** @param {string[]} args @param {RunOptions} [options] @returns {Promise<RunResult>} */
    run(args, {env = {}, yarn = projectYarn, timeoutMs = 120_000, wrapper = []} = {}) {
      const binary = yarnBinary(yarn);
      /** @type {Record<string, string | undefined>} */
      const base = {
        PATH: process.env.PATH,
        HOME: home,
        TMPDIR: process.env.TMPDIR ?? tmpdir(),
        LANG: `C.UTF-8`,
        NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
        YARN_GLOBAL_FOLDER: globalFolder,
        YARN_ENABLE_TELEMETRY: `0`,
        YARN_ENABLE_COLORS: `0`,
        YARN_ENABLE_HYPERLINKS: `0`,
        YARN_ENABLE_PROGRESS_BARS: `0`,
        YARN_ENABLE_INLINE_BUILDS: `1`,
        YARN_ENABLE_IMMUTABLE_INSTALLS: `0`,
        YARN_ENABLE_SCRIPTS: `1`,
        YARN_CHECKSUM_BEHAVIOR: `update`,
        // Yarn's own release-age gate (npmMinimalAgeGate, default 1d in recent 4.x) would hide fresh versions before
        // the plugin sees them. The environment beats .yarnrc.yml, so only when the project doesn't set it; older Yarns
        // reject unknown YARN_* variables, hence the feature check.
        ...((noProject ? homeYarnrc?.npmMinimalAgeGate : settings.npmMinimalAgeGate) === undefined && hasBuiltinAgeGate(binary) ? {YARN_NPM_MINIMAL_AGE_GATE: `0`} : {}),
        ...env,
      };
      const childEnv = Object.fromEntries(Object.entries(base).filter(([, v]) => v !== undefined));
      return new Promise((resolvePromise, reject) => {
        const [command, ...commandArgs] = [...wrapper, process.execPath, binary, ...args];
        const child = spawn(command, commandArgs, {
          cwd: dir,
          env: childEnv,
          stdio: [`ignore`, `pipe`, `pipe`],
          // A process group of its own, so a timeout also kills the build scripts Yarn spawned.
          detached: true,
        });
        let stdout = ``, stderr = ``, output = ``, timedOut = false;
        child.stdout.setEncoding(`utf8`).on(`data`, chunk => { stdout += chunk; output += chunk; });
        child.stderr.setEncoding(`utf8`).on(`data`, chunk => { stderr += chunk; output += chunk; });
        const timer = setTimeout(() => {
          timedOut = true;
          try {
            if (child.pid) process.kill(-child.pid, `SIGKILL`);
          } catch {
            child.kill(`SIGKILL`);
          }
        }, timeoutMs);
        child.on(`error`, error => {
          clearTimeout(timer);
          reject(error);
        });
        child.on(`close`, (code, signal) => {
          clearTimeout(timer);
          // `rawStdout` keeps the escape sequences, for tests of what reaches a machine.
          resolvePromise({code, signal, timedOut, stdout: stripAnsi(stdout), stderr: stripAnsi(stderr), output: stripAnsi(output), rawStdout: stdout});
        });
      });
    },
    /** @param {string} rel */
    readFile: rel => readFile(abs(rel), `utf8`),
    writeFile: put,
    /** @param {string} rel */
    exists: rel => existsSync(abs(rel)),
    /** @returns {Promise<string | null>} */
    lockfile: async () => (existsSync(abs(`yarn.lock`)) ? readFile(abs(`yarn.lock`), `utf8`) : null),
    /** Merges into the current settings; a value of undefined removes the setting. @param {Record<string, unknown>} obj */
    async setYarnrc(obj) {
      settings = {...settings, ...obj};
      await writeYarnrc();
    },
    /** Shallow-merges into package.json; a value of undefined removes the field. @param {Record<string, unknown>} obj */
    async setManifest(obj) {
      pkg = {...JSON.parse(await readFile(abs(`package.json`), `utf8`)), ...obj};
      await writeManifest();
    },
    dispose: async () => {
      await rm(parent ?? dir, {recursive: true, force: true});
      await rm(envRoot, {recursive: true, force: true});
    },
  };
}

/** @typedef {Awaited<ReturnType<typeof createProject>>} Project */
