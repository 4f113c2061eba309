#!/usr/bin/env node
// Measures what the install-script drift rule would flag on real lockfile changes.
//
//   node scripts/measure-install-scripts.mjs <acceptance-folder> [--pairs a,b] [--plugin] [--keep]
//
// <acceptance-folder> holds one folder per pair, `<repo>-<commit>/{before,after}/{yarn.lock.gz,manifests.json.gz,
// packageExtensions.json}` and `meta.json`. Nothing of it is written into this repository.
//
// Default mode: reads both lockfiles, lists the npm packages updated from a baseline name to a version the baseline never
// had, and compares their install scripts (from the registry documents) with those of every baseline version, as
// DESIGN.md "Install-script drift" defines it. Packuments come from `npm config get registry`, 16 at a time, kept reduced
// to their install scripts in /tmp/measure-cache, so a re-run asks the registry for nothing.
//
// --plugin: the real plugin instead. Per pair, a temporary git repository gets `before` committed, then `after`, and the
// repository's default Yarn with the bundle runs `yarn quarantine check --since HEAD~1 --json`; findings are counted per
// rule and the install-scripts ones listed. Yarn's global folder (and so the plugin's release-time cache) is shared by
// all pairs in /tmp/measure-cache/yarn-global.
//
// Markdown goes to stdout, progress to stderr.
import {execFileSync} from 'node:child_process';
import {createHash} from 'node:crypto';
import {existsSync, readFileSync} from 'node:fs';
import {mkdir, readFile, readdir, rm, writeFile} from 'node:fs/promises';
import {join, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs} from 'node:util';
import {gunzipSync} from 'node:zlib';

import {parseSyml} from '@yarnpkg/parsers';
import semver from 'semver';

import {BUNDLE, createProject} from './lib/yarn-project.mjs';

const {values: args, positionals} = parseArgs({
  options: {
    pairs: {type: `string`},
    plugin: {type: `boolean`, default: false},
    keep: {type: `boolean`, default: false},
    help: {type: `boolean`, short: `h`, default: false},
  },
  allowPositionals: true,
});

if (args.help || positionals.length !== 1) {
  console.error(`Usage: node scripts/measure-install-scripts.mjs <acceptance-folder> [--pairs name,name] [--plugin] [--keep]`);
  process.exit(args.help ? 0 : 2);
}

const CACHE_DIR = `/tmp/measure-cache`;
const CONCURRENCY = 16;
const INSTALL_SCRIPTS = [`preinstall`, `install`, `postinstall`];
/** The first Yarn release whose `enableScripts` defaults to false. */
const SCRIPTS_OFF_BY_DEFAULT_FROM = `4.14.0`;
/** The first lockfile format that Yarn 4.14+ does not treat as a migration (which turns `enableScripts` on when unset). */
const LOCKFILE_WITHOUT_SCRIPT_MIGRATION = 9;
const CHECK_TIMEOUT_MS = 20 * 60_000;
const OTHER_FINDINGS_SHOWN = 3;

const registry = execFileSync(`npm`, [`config`, `get`, `registry`], {encoding: `utf8`}).trim().replace(/\/?$/, `/`);
const startedAt = performance.now();
const seconds = (since = startedAt) => ((performance.now() - since) / 1000).toFixed(1);
/** @param {string} text */
const progress = text => process.stderr.write(`[measure ${seconds().padStart(6)}s] ${text}\n`);
/** One Markdown line per argument. @param {string[]} lines */
const print = (...lines) => process.stdout.write(`${lines.join(`\n`)}\n`);

const root = resolve(positionals[0]);
const wanted = args.pairs?.split(`,`).map(name => name.trim()).filter(Boolean);
const pairNames = (await readdir(root, {withFileTypes: true}))
  .filter(entry => entry.isDirectory() && (!wanted || wanted.includes(entry.name)))
  .map(entry => entry.name)
  .sort();

// ---------------------------------------------------------------------------------------------------------------------
// Reading a pair
// ---------------------------------------------------------------------------------------------------------------------

/** @param {string} side the `before` or `after` folder */
async function readSide(side) {
  const lockfileText = gunzipSync(await readFile(join(side, `yarn.lock.gz`))).toString(`utf8`);
  /** @type {Record<string, string>} workspace path of each package.json -> its text */
  const manifests = JSON.parse(gunzipSync(await readFile(join(side, `manifests.json.gz`))).toString(`utf8`));
  const extensionsFile = join(side, `packageExtensions.json`);
  const packageExtensions = existsSync(extensionsFile) ? JSON.parse(await readFile(extensionsFile, `utf8`)) : {};
  return {lockfileText, manifests, packageExtensions, rootManifest: JSON.parse(manifests[`package.json`])};
}

/** @param {string} pair */
async function readPair(pair) {
  const dir = join(root, pair);
  const meta = JSON.parse(await readFile(join(dir, `meta.json`), `utf8`));
  return {pair, meta, before: await readSide(join(dir, `before`)), after: await readSide(join(dir, `after`))};
}

/** `name@reference` -> [name, reference]; a scope's `@` is part of the name. @param {string} locator */
function splitLocator(locator) {
  const at = locator.indexOf(`@`, 1);
  return [locator.slice(0, at), locator.slice(at + 1)];
}

/**
 * The npm version a lockfile resolution stands for: `name@npm:1.2.3`, or a `patch:` wrapper of one.
 * @param {string} resolution
 * @returns {{name: string, version: string} | null}
 */
function npmVersionOf(resolution) {
  const [name, reference] = splitLocator(resolution);
  if (reference.startsWith(`npm:`)) return {name, version: reference.slice(`npm:`.length)};
  if (reference.startsWith(`patch:`)) {
    const hash = reference.indexOf(`#`);
    return npmVersionOf(decodeURIComponent(reference.slice(`patch:`.length, hash === -1 ? undefined : hash)));
  }
  return null;
}

/** @param {string} lockfileText */
function readLockfile(lockfileText) {
  const parsed = parseSyml(lockfileText);
  /** @type {Set<string>} every package name, whatever its protocol */
  const names = new Set();
  /** @type {Map<string, Set<string>>} */
  const npmVersions = new Map();
  for (const [key, entry] of Object.entries(parsed)) {
    if (key === `__metadata` || typeof entry?.resolution !== `string`) continue;
    names.add(splitLocator(entry.resolution)[0]);
    const npm = npmVersionOf(entry.resolution);
    if (!npm) continue;
    if (!npmVersions.has(npm.name)) npmVersions.set(npm.name, new Set());
    npmVersions.get(npm.name)?.add(npm.version);
  }
  return {names, npmVersions, format: Number(parsed.__metadata?.version)};
}

/** Names any workspace declares in a dependency field. @param {Record<string, string>} manifests */
function declaredNames(manifests) {
  const names = new Set();
  for (const text of Object.values(manifests)) {
    const manifest = JSON.parse(text);
    for (const field of [`dependencies`, `devDependencies`, `peerDependencies`, `optionalDependencies`])
      for (const name of Object.keys(manifest[field] ?? {})) names.add(name);
  }
  return names;
}

/**
 * Whether install scripts run by default for the project, from its `packageManager` Yarn release and lockfile format.
 * @param {Record<string, any>} rootManifest @param {number} lockfileFormat
 */
function scriptsDefault(rootManifest, lockfileFormat) {
  const match = /^yarn@(\d+\.\d+\.\d+)/.exec(rootManifest.packageManager ?? ``);
  const yarn = match?.[1] ?? null;
  if (!yarn || semver.lt(yarn, SCRIPTS_OFF_BY_DEFAULT_FROM))
    return {yarn, enableScripts: true, why: `${yarn ? `Yarn ${yarn}` : `no packageManager`}: enableScripts defaults to true`};
  if (lockfileFormat < LOCKFILE_WITHOUT_SCRIPT_MIGRATION)
    return {yarn, enableScripts: true, why: `Yarn ${yarn} defaults to false, but lockfile v${lockfileFormat} makes its install migrate to enableScripts true`};
  return {yarn, enableScripts: false, why: `Yarn ${yarn}: enableScripts defaults to false`};
}

/**
 * Yarn's own decision (its build-request logic): `built: false` never runs; otherwise `enableScripts` or `built: true`.
 * A `name@version` entry overrides the `name` one, as in `Project.getDependencyMeta`.
 * @param {Record<string, any>} rootManifest @param {boolean} enableScripts @param {string} name @param {string} version
 */
function scriptsWouldRun(rootManifest, enableScripts, name, version) {
  const meta = rootManifest.dependenciesMeta ?? {};
  const built = {...meta[name], ...meta[`${name}@${version}`]}.built;
  if (built === false) return {run: false, why: `dependenciesMeta built: false`};
  if (built === true) return {run: true, why: `dependenciesMeta built: true`};
  return {run: enableScripts, why: `enableScripts ${enableScripts}`};
}

// ---------------------------------------------------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------------------------------------------------

/**
 * @typedef {{preinstall?: string, install?: string, postinstall?: string, gypfile?: boolean}} VersionScripts
 * @typedef {{status: number, versions: Record<string, VersionScripts>}} ReducedPackument
 */

const cacheFolder = join(CACHE_DIR, createHash(`sha256`).update(registry).digest(`hex`).slice(0, 16));
const fetchStats = {fromCache: 0, fetched: 0, bytes: 0};

/** @param {string} name @returns {Promise<ReducedPackument>} */
async function loadPackument(name) {
  const file = join(cacheFolder, `${encodeURIComponent(name)}.json`);
  if (existsSync(file)) {
    fetchStats.fromCache++;
    return JSON.parse(await readFile(file, `utf8`));
  }
  const url = `${registry}${name.replace(`/`, `%2f`)}`;
  /** @type {ReducedPackument} */
  let reduced = {status: 0, versions: {}};
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url, {headers: {accept: `application/json`}});
      reduced.status = response.status;
      if (response.ok) {
        const text = await response.text();
        fetchStats.bytes += text.length;
        const document = JSON.parse(text);
        for (const [version, manifest] of Object.entries(document.versions ?? {})) {
          /** @type {VersionScripts} */
          const kept = {};
          for (const script of INSTALL_SCRIPTS)
            if (typeof manifest.scripts?.[script] === `string`) kept[script] = manifest.scripts[script];
          if (manifest.gypfile === true) kept.gypfile = true;
          reduced.versions[version] = kept;
        }
      } else {
        await response.body?.cancel();
      }
      break;
    } catch (error) {
      if (attempt >= 3) throw new Error(`${url}: ${/** @type {Error} */ (error).message}`);
    }
  }
  fetchStats.fetched++;
  await mkdir(cacheFolder, {recursive: true});
  await writeFile(file, JSON.stringify(reduced));
  return reduced;
}

/** Runs `task` over `items`, `limit` at a time. @template T, R @param {T[]} items @param {number} limit @param {(item: T) => Promise<R>} task */
async function pool(items, limit, task) {
  /** @type {R[]} */
  const results = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index]);
    }
  }));
  return results;
}

/**
 * The install scripts Yarn (and npm) would run; a `gypfile` without `install`/`preinstall` implies `node-gyp rebuild`.
 * @param {VersionScripts} version @returns {Record<string, string>}
 */
function installScriptsOf(version) {
  /** @type {Record<string, string>} */
  const scripts = {};
  for (const script of INSTALL_SCRIPTS) if (version[script]?.trim()) scripts[script] = /** @type {string} */ (version[script]);
  if (version.gypfile && !scripts.install && !scripts.preinstall) scripts.install = `node-gyp rebuild (implicit: gypfile)`;
  return scripts;
}

/** Scripts of `next` that `previous` lacks or runs differently; a removed script is no change. */
function scriptChanges(/** @type {Record<string, string>} */ previous, /** @type {Record<string, string>} */ next) {
  return Object.entries(next)
    .filter(([script, command]) => previous[script] !== command)
    .map(([script, command]) => ({script, from: previous[script] ?? null, to: command}));
}

// ---------------------------------------------------------------------------------------------------------------------
// Default mode: the rule computed from the registry documents
// ---------------------------------------------------------------------------------------------------------------------

/** @param {Awaited<ReturnType<typeof readPair>>} data */
function planPair(data) {
  const before = readLockfile(data.before.lockfileText);
  const after = readLockfile(data.after.lockfileText);
  const updates = [];
  for (const [name, versions] of after.npmVersions) {
    const baseline = before.npmVersions.get(name);
    if (!baseline) continue;
    for (const version of versions) if (!baseline.has(version)) updates.push({name, version, baseline: [...baseline]});
  }
  const declared = declaredNames(data.after.manifests);
  const newPackages = [];
  for (const [name, versions] of after.npmVersions)
    if (!before.names.has(name)) for (const version of versions) newPackages.push({name, version, declared: declared.has(name)});
  return {before, after, updates, newPackages};
}

/** The baseline version an update most plausibly came from: the highest below it, else the lowest above it. */
function closestBaseline(/** @type {string[]} */ baseline, /** @type {string} */ version) {
  const valid = baseline.filter(v => semver.valid(v)).sort(semver.compare);
  if (!semver.valid(version) || valid.length === 0) return baseline[0];
  return [...valid].reverse().find(v => semver.lt(v, version)) ?? valid[0];
}

/** @param {string} text */
const cell = text => String(text).replace(/\|/g, `\\|`).replace(/\n/g, ` `);
/** @param {string | null} command */
const code = command => (command === null ? `(none)` : `\`${cell(command).replace(/`/g, `'`)}\``);

async function measureFromRegistry() {
  const pairs = [];
  for (const pair of pairNames) {
    const data = await readPair(pair);
    pairs.push({data, plan: planPair(data)});
  }
  const names = new Set();
  for (const {plan} of pairs) {
    for (const update of plan.updates) names.add(update.name);
    for (const added of plan.newPackages) names.add(added.name);
  }
  progress(`${pairs.length} pairs, ${names.size} packuments needed (registry from npm config, cache ${cacheFolder})`);
  const fetchStarted = performance.now();
  const packuments = new Map();
  await pool([...names], CONCURRENCY, async name => packuments.set(name, await loadPackument(name)));
  const fetchSeconds = seconds(fetchStarted);
  progress(`packuments: ${fetchStats.fetched} fetched (${(fetchStats.bytes / 1e6).toFixed(1)} MB), ${fetchStats.fromCache} from cache, ${fetchSeconds}s`);

  const out = [];
  const totals = {pairs: 0, updates: 0, checked: 0, withScripts: 0, flagged: 0, wouldRun: 0, unknownVersions: 0, newPackages: 0, newWithScripts: 0, gypfileSeen: 0};
  for (const version of [...packuments.values()].flatMap(p => Object.values(p.versions))) if (version.gypfile) totals.gypfileSeen++;
  const flaggedRows = [];
  for (const {data, plan} of pairs) {
    totals.pairs++;
    const defaults = scriptsDefault(data.after.rootManifest, plan.after.format);
    /** @param {string} name @param {string} version */
    const scriptsOf = (name, version) => {
      const known = packuments.get(name)?.versions[version];
      return known ? installScriptsOf(known) : null;
    };
    const unknown = new Set();
    const flagged = [];
    let checked = 0;
    let withScripts = 0;
    const unchanged = [];
    for (const update of plan.updates) {
      const next = scriptsOf(update.name, update.version);
      const baseline = update.baseline.map(version => ({version, scripts: scriptsOf(update.name, version)}));
      for (const {version, scripts} of [{version: update.version, scripts: next}, ...baseline])
        if (!scripts) unknown.add(`${update.name}@${version} (${packuments.get(update.name)?.status === 200 ? `not listed` : `HTTP ${packuments.get(update.name)?.status}`})`);
      const knownBaseline = baseline.filter(b => b.scripts);
      if (!next || knownBaseline.length === 0) continue;
      checked++;
      if (Object.keys(next).length > 0) withScripts++;
      if (knownBaseline.some(b => scriptChanges(/** @type {Record<string, string>} */ (b.scripts), next).length === 0)) {
        if (Object.keys(next).length > 0) unchanged.push(`${update.name} ${update.baseline.join(`/`)} -> ${update.version} (${Object.keys(next).join(`, `)})`);
        continue;
      }
      const from = closestBaseline(knownBaseline.map(b => b.version), update.version);
      const changes = scriptChanges(/** @type {Record<string, string>} */ (scriptsOf(update.name, from)), next);
      const run = scriptsWouldRun(data.after.rootManifest, defaults.enableScripts, update.name, update.version);
      flagged.push({...update, from, changes, run, partialBaseline: knownBaseline.length < baseline.length});
    }
    const newWithScripts = plan.newPackages
      .map(added => ({...added, scripts: scriptsOf(added.name, added.version)}))
      .filter(added => {
        if (!added.scripts) unknown.add(`${added.name}@${added.version} (new; ${packuments.get(added.name)?.status === 200 ? `not listed` : `HTTP ${packuments.get(added.name)?.status}`})`);
        return added.scripts && Object.keys(added.scripts).length > 0;
      });

    totals.updates += plan.updates.length;
    totals.checked += checked;
    totals.withScripts += withScripts;
    totals.flagged += flagged.length;
    totals.wouldRun += flagged.filter(f => f.run.run).length;
    totals.unknownVersions += unknown.size;
    totals.newPackages += plan.newPackages.length;
    totals.newWithScripts += newWithScripts.length;

    out.push(`### ${data.pair} (${data.meta.repo}, ${data.meta.kind}, ${data.meta.date})`, ``);
    out.push(`${cell(data.meta.subject)}. Lockfile v${plan.before.format} -> v${plan.after.format}; ${defaults.why}; dependenciesMeta: ${JSON.stringify(data.after.rootManifest.dependenciesMeta ?? {})}.`, ``);
    out.push(`Updates: ${plan.updates.length}, checked ${checked} (${withScripts} to a version with install scripts), flagged ${flagged.length}. New npm names: ${plan.newPackages.length}, with install scripts ${newWithScripts.length}.`, ``);
    if (flagged.length > 0) {
      out.push(`| package | from -> to | script | old command -> new command | would run |`, `|---|---|---|---|---|`);
      for (const f of flagged) {
        for (const change of f.changes) {
          out.push(`| ${cell(f.name)} | ${f.from} -> ${f.version}${f.partialBaseline ? ` (some baseline versions unknown)` : ``} | ${change.script} | ${code(change.from)} -> ${code(change.to)} | ${f.run.run ? `yes` : `no`} (${f.run.why}) |`);
          flaggedRows.push(`| ${data.pair} | ${cell(f.name)} | ${f.from} -> ${f.version} | ${change.script} | ${code(change.from)} -> ${code(change.to)} | ${f.run.run ? `yes` : `no`} |`);
        }
      }
      out.push(``);
    }
    if (newWithScripts.length > 0) {
      out.push(`New names with install scripts:`, ``, `| package | version | declared by a workspace | scripts | would run |`, `|---|---|---|---|---|`);
      for (const added of newWithScripts) {
        const run = scriptsWouldRun(data.after.rootManifest, defaults.enableScripts, added.name, added.version);
        const scripts = Object.entries(/** @type {Record<string, string>} */ (added.scripts)).map(([script, command]) => `${script}: ${code(command)}`).join(`; `);
        out.push(`| ${cell(added.name)} | ${added.version} | ${added.declared ? `yes` : `no (sub-dependency)`} | ${scripts} | ${run.run ? `yes` : `no`} (${run.why}) |`);
      }
      out.push(``);
    }
    if (unchanged.length > 0) out.push(`Updated with the same install scripts as a baseline version: ${unchanged.join(`, `)}.`, ``);
    if (unknown.size > 0) out.push(`Versions the registry's document does not list: ${[...unknown].sort().join(`, `)}.`, ``);
  }

  print(`# Install-script drift on real lockfile changes`, ``);
  print(`Registry: the one \`npm config get registry\` names (a mirror: version objects are the tarballs' package.json, so no \`gypfile\` field; ${totals.gypfileSeen} version(s) carried one). No pair ships a .yarnrc.yml: enableScripts is the default of the packageManager Yarn release (true before ${SCRIPTS_OFF_BY_DEFAULT_FROM}, false from it, true again when the lockfile format is older than v${LOCKFILE_WITHOUT_SCRIPT_MIGRATION}, which Yarn's install migrates).`, ``);
  print(`## Total`, ``);
  print(`| pairs | updates | checked | checked, new version has install scripts | flagged | flagged and would run | versions not in the registry's document | new npm names | new names with install scripts |`);
  print(`|---|---|---|---|---|---|---|---|---|`);
  print(`| ${totals.pairs} | ${totals.updates} | ${totals.checked} | ${totals.withScripts} | ${totals.flagged} | ${totals.wouldRun} | ${totals.unknownVersions} | ${totals.newPackages} | ${totals.newWithScripts} |`, ``);
  if (flaggedRows.length > 0) {
    print(`| pair | package | from -> to | script | old command -> new command | would run |`, `|---|---|---|---|---|---|`);
    print(flaggedRows.join(`\n`), ``);
  }
  print(`Packuments: ${names.size} (${fetchStats.fetched} fetched, ${(fetchStats.bytes / 1e6).toFixed(1)} MB, ${fetchStats.fromCache} from the cache) in ${fetchSeconds}s; whole run ${seconds()}s.`, ``);
  print(`## Per pair`, ``);
  print(out.join(`\n`));
}

// ---------------------------------------------------------------------------------------------------------------------
// --plugin: the real plugin on a two-commit repository per pair
// ---------------------------------------------------------------------------------------------------------------------

/** @param {string} dir @param {string[]} gitArgs */
const git = (dir, gitArgs) => execFileSync(`git`, [`-c`, `user.name=measure`, `-c`, `user.email=measure@localhost`, `-c`, `commit.gpgsign=false`, ...gitArgs], {cwd: dir, encoding: `utf8`, stdio: [`ignore`, `pipe`, `pipe`]});

/**
 * The project's own settings: the bundle, its packageExtensions and `enableScripts` as its Yarn release has it (set
 * explicitly, so that the repository's newer Yarn neither changes the default nor migrates an older lockfile).
 * @param {Awaited<ReturnType<typeof readSide>>} side @param {boolean} enableScripts
 */
const projectSettings = (side, enableScripts) => ({
  enableScripts,
  packageExtensions: Object.keys(side.packageExtensions).length > 0 ? side.packageExtensions : undefined,
});

/** @param {Awaited<ReturnType<typeof readSide>>} side */
const sideFiles = side => ({...side.manifests, 'yarn.lock': side.lockfileText});

async function measureWithPlugin() {
  if (!existsSync(BUNDLE)) throw new Error(`The plugin bundle is missing (${BUNDLE}); run \`yarn build\` first.`);
  const globalFolder = join(CACHE_DIR, `yarn-global`);
  await mkdir(globalFolder, {recursive: true});
  // The repository's default Yarn, not the packageManager release; only the registry and the CA come from outside.
  const env = {
    YARN_GLOBAL_FOLDER: globalFolder,
    YARN_NPM_REGISTRY_SERVER: registry.replace(/\/$/, ``),
    YARN_ENABLE_SCRIPTS: undefined,
    YARN_CHECKSUM_BEHAVIOR: undefined,
    YARN_ENABLE_IMMUTABLE_INSTALLS: undefined,
  };
  print(`# yarn quarantine check --since HEAD~1 --json, per pair`, ``);
  print(`| pair | enableScripts set | quarantineInstallScripts | exit | time | findings per rule (kind) | install-scripts findings | summary |`);
  print(`|---|---|---|---|---|---|---|---|`);
  const details = [];
  for (const pair of pairNames) {
    const data = await readPair(pair);
    const {enableScripts} = scriptsDefault(data.after.rootManifest, readLockfile(data.after.lockfileText).format);
    const project = await createProject({
      manifest: data.before.rootManifest,
      yarnrc: projectSettings(data.before, enableScripts),
      files: sideFiles(data.before),
    });
    try {
      git(project.dir, [`init`, `-q`]);
      git(project.dir, [`add`, `-A`]);
      git(project.dir, [`commit`, `-q`, `-m`, `before`]);
      for (const path of Object.keys(data.before.manifests))
        if (!(path in data.after.manifests)) await rm(join(project.dir, path), {force: true});
      for (const [path, text] of Object.entries(sideFiles(data.after))) await project.writeFile(path, text);
      await project.setYarnrc(projectSettings(data.after, enableScripts));
      git(project.dir, [`add`, `-A`]);
      git(project.dir, [`commit`, `-q`, `-m`, `after`]);

      progress(`${pair}: yarn quarantine check --since HEAD~1 --json in ${project.dir}`);
      const runStarted = performance.now();
      const result = await project.run([`quarantine`, `check`, `--since`, `HEAD~1`, `--json`], {env, timeoutMs: CHECK_TIMEOUT_MS});
      const took = seconds(runStarted);
      const records = result.stdout.split(`\n`).filter(line => line.startsWith(`{`)).map(line => {
        try {
          return JSON.parse(line);
        } catch {
          return null;
        }
      }).filter(Boolean);
      const findings = records.filter(record => record.type === `finding`);
      const {type: _summaryType, ...summary} = records.find(record => record.type === `summary`) ?? {};
      const installScriptsSetting = records.find(record => record.type === `policy`)?.settings?.find(setting => setting.setting === `quarantineInstallScripts`);
      /** @type {Map<string, number>} */
      const perRule = new Map();
      for (const finding of findings) {
        const key = `${finding.rule}${finding.kind ? ` (${finding.kind})` : ``}`;
        perRule.set(key, (perRule.get(key) ?? 0) + 1);
      }
      const installScripts = findings.filter(finding => finding.rule === `install-scripts`);
      const rules = [...perRule].map(([key, count]) => `${count} ${key}`).join(`, `) || `none`;
      const setting = installScriptsSetting ? `${installScriptsSetting.value} (${installScriptsSetting.source})` : `not in this bundle`;
      print(`| ${pair} | ${enableScripts} | ${setting} | ${result.timedOut ? `timed out` : result.code} | ${took}s | ${cell(rules)} | ${installScripts.length} | ${cell(JSON.stringify(summary))} |`);
      details.push({pair, result, findings, installScripts, records});
      progress(`${pair}: exit ${result.code} in ${took}s, ${findings.length} findings`);
    } finally {
      if (args.keep) progress(`${pair}: kept ${project.dir}`);
      else await project.dispose();
    }
  }
  print(``);
  for (const {pair, result, findings, installScripts, records} of details) {
    print(`### ${pair}`, ``);
    if (records.length === 0) {
      print(`No JSON on stdout; output:`, ``, '```', result.output.trim().split(`\n`).slice(-20).join(`\n`), '```', ``);
      continue;
    }
    // The rule's own findings in full, and any other finding that speaks of install scripts (a new sub-dependency's
    // finding is to say whether it has some); of the rest only a sample.
    const aboutScripts = findings.filter(f => f.rule !== `install-scripts` && /install.?script/i.test(JSON.stringify(f)));
    const others = findings.filter(f => f.rule !== `install-scripts` && !aboutScripts.includes(f));
    for (const finding of [...installScripts, ...aboutScripts, ...others.slice(0, OTHER_FINDINGS_SHOWN)])
      print(`- ${finding.rule}${finding.kind ? ` (${finding.kind})` : ``}: ${cell(finding.message ?? JSON.stringify(finding))}`);
    if (others.length > OTHER_FINDINGS_SHOWN) print(`- ... ${others.length - OTHER_FINDINGS_SHOWN} more of other rules`);
    const warnings = result.stderr.trim();
    if (warnings) print(``, `stderr: ${cell(warnings.split(`\n`).slice(0, 5).join(` / `))}`);
    print(``);
  }
  print(``, `Whole run ${seconds()}s; bundle ${BUNDLE.replace(process.cwd(), `.`)}.`);
}

if (args.plugin) await measureWithPlugin();
else await measureFromRegistry();
