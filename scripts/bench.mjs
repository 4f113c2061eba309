#!/usr/bin/env node
// Measures what the plugin costs on a realistic install: the same generated dependency graph is installed by the same
// Yarn with and without the plugin, from a loopback registry that adds a fixed latency to every request.
//
//   node scripts/bench.mjs [--packages 1500] [--runs 3] [--delay 20] [--seed 1] [--check-runs 3] [--out bench-results/latest.json]
//
// Scenarios: fresh resolution (Yarn alone, Yarn alone with its own `npmMinimalAgeGate` on, with the plugin), cold install
// with a lockfile, warm install, and `yarn quarantine check` in the warm project (--check-runs times per run, next to
// `yarn config get` as the floor of Node + Yarn + plugin start-up); in the same warm project, whose cache is inside it as
// in a zero-install project, warm installs under `quarantineLockfile` verify and trust (the lockfile rule's own cost)
// and Yarn's `--check-cache`; and an update: newer patch releases of ~100 locked packages (a few adding a postinstall)
// are published and `yarn up -R <names>` runs in a fresh copy of each warm project. Next to `check`, in the same warm
// project, `check --format sarif --output <file>`; after the warm measurements, in a copy of that project, fresh patch
// releases (hours old) of some of the update's packages are published and `yarn quarantine pending` lists them, then
// `check` and `check --format sarif` run there with every locked version a finding (a period longer than the graph's
// history), so the SARIF log's cost of locating each finding in yarn.lock shows. Each figure is printed next to its
// target.
//
// Progress goes to stderr; the Markdown tables to stdout; raw numbers to bench-results/latest.json.
import {execFile} from 'node:child_process';
import {existsSync, readFileSync} from 'node:fs';
import {mkdir, mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {availableParallelism, cpus, tmpdir, totalmem} from 'node:os';
import {dirname, join, relative, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {parseArgs, promisify} from 'node:util';

import {compareVersions, days, hours, startRegistry} from './lib/registry.mjs';
import {BUNDLE, REPO_ROOT, createProject, hasBuiltinAgeGate, yarnBinary} from './lib/yarn-project.mjs';

const {values: args} = parseArgs({
  options: {
    packages: {type: `string`, default: `1500`},
    runs: {type: `string`, default: `3`},
    delay: {type: `string`, default: `20`},
    seed: {type: `string`, default: `1`},
    'check-runs': {type: `string`, default: `3`},
    out: {type: `string`, default: join(REPO_ROOT, `bench-results`, `latest.json`)},
    help: {type: `boolean`, short: `h`, default: false},
  },
});

if (args.help) {
  console.log(`Usage: node scripts/bench.mjs [--packages N] [--runs N] [--delay MS] [--seed N] [--check-runs N] [--out FILE]`);
  process.exit(0);
}

const PACKAGES = positiveInt(`--packages`, args.packages, 50);
const RUNS = positiveInt(`--runs`, args.runs, 1);
const DELAY_MS = positiveInt(`--delay`, args.delay, 0);
const SEED = positiveInt(`--seed`, args.seed, 0);
const CHECK_RUNS = positiveInt(`--check-runs`, args[`check-runs`], 1);
const OUT = resolve(args.out);
const TIME_BINARY = `/usr/bin/time`;
const RUN_TIMEOUT_MS = 10 * 60_000;
/** Yarn's own release-age gate for the comparison run, in minutes (its `npmMinimalAgeGate` unit): one day. */
const GATE_MINUTES = 1440;
/** How many locked packages the update scenario bumps, and how many of those bumps add a postinstall. */
const UPDATE_COUNT = 100;
const UPDATE_ADDING_POSTINSTALL = 3;
/**
 * How many of the update's packages get a patch release younger than the default quarantinePeriod (3 days) for
 * `yarn quarantine pending` to list; they are published an hour to two days ago, and removed before the update.
 */
const PENDING_COUNT = 25;
/** A quarantinePeriod longer than the generated graph's history, so that every locked version is a finding. */
const EVERY_VERSION_A_FINDING_PERIOD = `3650d`;
/** Share of packages whose every version has a postinstall: harmless, quick, the same in every version. */
const POSTINSTALL_SHARE = 0.04;
const POSTINSTALL = `node -e ""`;
/** Targets from the performance issue. */
const TARGETS = {warmOverheadPercent: 3, coldOverheadPercent: 25, checkWarmMs: 1000};

/** @param {string} flag @param {string} text @param {number} min */
function positiveInt(flag, text, min) {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    console.error(`${flag} expects an integer >= ${min}, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const startedAt = performance.now();
const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(0).padStart(4)}s`;
/** @param {string} text */
const progress = text => process.stderr.write(`[bench ${elapsed()}] ${text}\n`);

// ---------------------------------------------------------------------------------------------------------------------
// Deterministic dependency graph
// ---------------------------------------------------------------------------------------------------------------------

/** mulberry32: small, fast, good enough for reproducible fixtures. @param {number} seed */
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  `ab`, `ac`, `al`, `an`, `ar`, `ba`, `be`, `bi`, `bo`, `ca`, `ce`, `ci`, `co`, `da`, `de`, `di`, `do`, `el`, `en`, `er`,
  `fa`, `fe`, `fi`, `fo`, `ga`, `ge`, `gi`, `go`, `ha`, `he`, `hi`, `ho`, `ir`, `ka`, `ke`, `ki`, `ko`, `la`, `le`, `li`,
  `lo`, `ma`, `me`, `mi`, `mo`, `na`, `ne`, `ni`, `no`, `or`, `pa`, `pe`, `pi`, `po`, `ra`, `re`, `ri`, `ro`, `sa`, `se`,
  `si`, `so`, `ta`, `te`, `ti`, `to`, `ul`, `un`, `va`, `ve`, `vi`, `vo`, `xa`, `ze`, `zi`, `zo`,
];
const SUFFIXES = [`js`, `core`, `utils`, `parser`, `loader`, `plugin`, `cli`, `types`, `config`, `runtime`, `kit`, `lite`];

/**
 * A graph shaped like a front-end app's: ~40 direct dependencies, layers down to depth 10 that are widest in the middle,
 * every package with 0–8 dependencies (fewer the deeper it sits), popular packages shared by many dependents, ~15%
 * scoped names, 1–4 versions per package (several majors, so some packages appear in two versions), all published
 * 30+ days ago.
 * @param {number} count @param {number} seed
 */
function generateGraph(count, seed) {
  const random = prng(seed);
  const int = (/** @type {number} */ lo, /** @type {number} */ hi) => lo + Math.floor(random() * (hi - lo + 1));
  /** @template T @param {T[]} items @param {number[]} weights @returns {T} */
  const weighted = (items, weights) => {
    let r = random() * weights.reduce((a, b) => a + b, 0);
    for (let i = 0; i < items.length; i++) if ((r -= weights[i]) < 0) return items[i];
    return items[items.length - 1];
  };

  // Names.
  const scopes = Array.from({length: 14}, () => `${SYLLABLES[int(0, SYLLABLES.length - 1)]}${SYLLABLES[int(0, SYLLABLES.length - 1)]}`);
  const used = new Set();
  const word = () => Array.from({length: int(2, 3)}, () => SYLLABLES[int(0, SYLLABLES.length - 1)]).join(``);
  const makeName = () => {
    for (;;) {
      const base = random() < 0.35 ? `${word()}-${random() < 0.5 ? word() : SUFFIXES[int(0, SUFFIXES.length - 1)]}` : word();
      const name = random() < 0.15 ? `@${scopes[int(0, scopes.length - 1)]}/${base}` : base;
      if (!used.has(name)) {
        used.add(name);
        return name;
      }
    }
  };

  // Layers: depth 1 holds the 32 direct dependencies only the app uses; the rest are spread over depths 2..10.
  const MAX_DEPTH = 10;
  const direct = Math.min(32, Math.max(1, Math.floor(count / 4)));
  const shape = [0, 0, 4, 7, 9, 9, 8, 6, 4, 2, 1];
  const shapeTotal = shape.reduce((a, b) => a + b, 0);
  const sizes = shape.map(w => Math.floor((count - direct) * w / shapeTotal));
  sizes[1] = direct;
  sizes[4] += count - sizes.reduce((a, b) => a + b, 0);

  /** @typedef {{name: string, depth: number, versions: string[], majors: number[], deps: Map<string, string>}} Node */
  /** @type {Node[][]} */
  const layers = sizes.map(() => []);
  for (let depth = 1; depth <= MAX_DEPTH; depth++) {
    for (let i = 0; i < sizes[depth]; i++) {
      const versions = [];
      let [major, minor, patch] = [int(1, 6), int(0, 12), int(0, 9)];
      const versionCount = weighted([1, 2, 3, 4], [4, 3, 2, 1]);
      for (let v = 0; v < versionCount; v++) {
        if (v > 0) {
          const bump = weighted([`patch`, `minor`, `major`], [25, 60, 15]);
          if (bump === `major`) [major, minor, patch] = [major + 1, 0, 0];
          else if (bump === `minor`) [minor, patch] = [minor + 1, 0];
          else patch += 1;
        }
        versions.push(`${major}.${minor}.${patch}`);
      }
      const majors = [...new Set(versions.map(v => Number(v.split(`.`)[0])))];
      layers[depth].push({name: makeName(), depth, versions, majors, deps: new Map()});
    }
  }

  // A dependent usually asks for the latest major, sometimes for an older one (which then also lands in the graph).
  /** @param {Node} node */
  const rangeFor = node => {
    const major = node.majors.length > 1 && random() < 0.2 ? node.majors[int(0, node.majors.length - 2)] : node.majors[node.majors.length - 1];
    const newestOfMajor = node.versions.filter(v => v.startsWith(`${major}.`)).at(-1) ?? `${major}.0.0`;
    const [, minor] = newestOfMajor.split(`.`);
    return random() < 0.85 ? `^${major}.${random() < 0.5 ? `0` : minor}.0` : `~${newestOfMajor}`;
  };
  // Popularity within a layer: the first packages of a layer are depended on far more often (Zipf-like).
  const popularity = layers.map(layer => layer.map((_, i) => 1 / Math.pow(i + 1, 0.8)));
  /** @param {number} depth */
  const pickIn = depth => weighted(layers[depth], popularity[depth]);
  /** @param {Node} from @param {Node} to */
  const link = (from, to) => {
    if (!from.deps.has(to.name)) from.deps.set(to.name, rangeFor(to));
  };

  for (let depth = 1; depth < MAX_DEPTH; depth++) {
    for (const node of layers[depth]) {
      // Deeper packages are more often leaves and have fewer dependencies.
      const leafChance = 0.08 + 0.045 * depth;
      const wanted = random() < leafChance ? 0 : Math.min(8, 1 + Math.floor(7 * Math.pow(random(), 1.6 + depth * 0.15)));
      for (let k = 0; k < wanted * 3 && node.deps.size < wanted; k++) {
        const targetDepth = Math.min(MAX_DEPTH, depth + weighted([1, 2, 3], [65, 25, 10]));
        if (layers[targetDepth].length > 0) link(node, pickIn(targetDepth));
      }
    }
  }

  // Every package must be reachable: an orphan becomes a dependency of a package one layer up that has room.
  const hasParent = new Set();
  for (const layer of layers) for (const node of layer) for (const dep of node.deps.keys()) hasParent.add(dep);
  for (let depth = 2; depth <= MAX_DEPTH; depth++) {
    for (const orphan of layers[depth].filter(node => !hasParent.has(node.name))) {
      let parent = null;
      for (let up = depth - 1; up >= 1 && !parent; up--) {
        const roomy = layers[up].filter(node => node.deps.size < 8);
        if (roomy.length > 0) parent = roomy[int(0, roomy.length - 1)];
      }
      if (!parent) throw new Error(`Cannot attach ${orphan.name}: every package above is full`);
      link(parent, orphan);
      hasParent.add(orphan.name);
    }
  }

  // The app: every depth-1 package plus a few popular deeper ones it also imports directly.
  /** @type {Record<string, string>} */
  const appDependencies = {};
  for (const node of layers[1]) appDependencies[node.name] = rangeFor(node);
  for (let i = 0; Object.keys(appDependencies).length < Math.min(40, count) && i < 200; i++) {
    const node = pickIn(weighted([2, 3, 4], [50, 30, 20]));
    appDependencies[node.name] ??= rangeFor(node);
  }

  // Registry documents: newest version published 30–400 days ago, older ones 10–200 days apart before it.
  const now = Date.now();
  /** @type {import('./lib/registry.mjs').PackageSpec[]} */
  const packages = [];
  for (const layer of layers) {
    for (const node of layer) {
      let at = now - days(30 + int(0, 370)) - int(0, 86_399_999);
      /** @type {Record<string, import('./lib/registry.mjs').VersionSpec>} */
      const versions = {};
      for (const version of [...node.versions].reverse()) {
        versions[version] = {
          publishedAt: new Date(at).toISOString(),
          ...(node.deps.size > 0 ? {dependencies: Object.fromEntries([...node.deps].sort(([a], [b]) => (a < b ? -1 : 1)))} : {}),
        };
        at -= days(10 + int(0, 190));
      }
      packages.push({name: node.name, versions});
    }
  }

  // Drawn from a stream of its own, so the graph itself is the one earlier figures were measured on.
  const scriptRandom = prng(seed + 0x5c12);
  for (const pkg of packages) {
    if (scriptRandom() >= POSTINSTALL_SHARE) continue;
    for (const spec of Object.values(pkg.versions)) spec.scripts = {postinstall: POSTINSTALL};
  }

  const edges = layers.flat().reduce((sum, node) => sum + node.deps.size, 0);
  const depCounts = layers.flat().map(node => node.deps.size);
  return {
    packages,
    appDependencies,
    stats: {
      packages: packages.length,
      versions: packages.reduce((sum, pkg) => sum + Object.keys(pkg.versions).length, 0),
      scoped: packages.filter(pkg => pkg.name.startsWith(`@`)).length,
      withPostinstall: packages.filter(pkg => Object.values(pkg.versions).some(spec => spec.scripts)).length,
      directDependencies: Object.keys(appDependencies).length,
      edges,
      maxDependencies: Math.max(...depCounts),
      leaves: depCounts.filter(n => n === 0).length,
      layerSizes: sizes.slice(1),
    },
  };
}

/**
 * The update scenario's releases: a patch release of the newest version of UPDATE_COUNT packages whose newest version
 * the lockfile holds (so every range that resolved to it takes the new one), published 30 days ago and after that
 * newest version, with the same dependencies and scripts; the first few without an install script gain a postinstall.
 * @param {import('./lib/registry.mjs').PackageSpec[]} packages @param {string} lockfile @param {number} seed
 */
function planUpdate(packages, lockfile, seed) {
  const locked = new Set([...lockfile.matchAll(/^\s+resolution: "?(.+?@npm:[^"\n]+?)"?$/gm)].map(m => m[1]));
  const publishedAt = Date.now() - days(30) - hours(12);
  const candidates = packages
    .map(pkg => ({pkg, newest: /** @type {string} */ (Object.keys(pkg.versions).sort(compareVersions).at(-1))}))
    .filter(({pkg, newest}) => locked.has(`${pkg.name}@npm:${newest}`) && Date.parse(String(pkg.versions[newest].publishedAt)) < publishedAt - days(1));
  const random = prng(seed + 0x0b5);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [candidates[i], candidates[j]] = [candidates[j], candidates[i]];
  }
  let adding = 0;
  return candidates.slice(0, UPDATE_COUNT).map(({pkg, newest}) => {
    const [major, minor, patch] = newest.split(`.`).map(Number);
    const spec = pkg.versions[newest];
    const addsPostinstall = !spec.scripts && adding < UPDATE_ADDING_POSTINSTALL;
    if (addsPostinstall) adding++;
    return {
      name: pkg.name,
      from: newest,
      version: `${major}.${minor}.${patch + 1}`,
      addsPostinstall,
      spec: {...spec, ...(addsPostinstall ? {scripts: {postinstall: POSTINSTALL}} : {}), publishedAt: new Date(publishedAt).toISOString()},
    };
  });
}

/**
 * The releases `yarn quarantine pending` is measured with: the same patch releases as the update's first PENDING_COUNT
 * (so the names whose documents change are names the update changes anyway), published an hour to two days ago.
 * @param {ReturnType<typeof planUpdate>} releases
 */
function planPending(releases) {
  const now = Date.now();
  const chosen = releases.slice(0, PENDING_COUNT);
  return chosen.map(({name, version, spec}, i) => ({
    name,
    version,
    spec: {...spec, publishedAt: new Date(now - hours(1) - Math.round(i * hours(47) / Math.max(1, chosen.length - 1))).toISOString()},
  }));
}

// ---------------------------------------------------------------------------------------------------------------------
// Measurement
// ---------------------------------------------------------------------------------------------------------------------

/** @param {number[]} values */
function median(values) {
  const finite = values.filter(v => typeof v === `number` && Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return null;
  const mid = finite.length >> 1;
  return finite.length % 2 === 1 ? finite[mid] : (finite[mid - 1] + finite[mid]) / 2;
}

const haveTime = existsSync(TIME_BINARY);
const measureDir = await mkdtemp(join(tmpdir(), `quarantine-bench-`));
let measureSeq = 0;

/**
 * One Yarn command, timed from spawn to exit, with the registry requests it caused and its peak RSS (GNU time's %M:
 * the largest resident set of the Node process running Yarn, in KiB).
 * @param {import('./lib/yarn-project.mjs').Project} project
 * @param {import('./lib/registry.mjs').Registry} registry
 * @param {string[]} command
 * @param {Record<string, string | undefined>} [env] passed to `run` (beats its defaults)
 * @param {number[]} [codes] the exit codes that mean the command did what it was run for
 */
async function measure(project, registry, command, env = {}, codes = [0]) {
  const rssFile = join(measureDir, `rss-${++measureSeq}.txt`);
  registry.clearRequests();
  const t0 = performance.now();
  const result = await project.run(command, {
    // `run` turns scripts on through the environment, which beats .yarnrc.yml: here the project's file decides.
    env: {YARN_ENABLE_SCRIPTS: undefined, ...env},
    timeoutMs: RUN_TIMEOUT_MS,
    wrapper: haveTime ? [TIME_BINARY, `-f`, `%M`, `-o`, rssFile] : [],
  });
  const wallMs = performance.now() - t0;
  const requests = [...registry.requests];
  if (result.code === null || !codes.includes(result.code)) {
    const tail = result.output.trimEnd().split(`\n`).slice(-25).join(`\n`);
    throw new Error(`yarn ${command.join(` `)} failed in ${project.dir} (code ${result.code}, signal ${result.signal}, timed out ${result.timedOut}):\n${tail}`);
  }
  let maxRssKiB = null;
  if (haveTime) {
    const lines = (await readFile(rssFile, `utf8`).catch(() => ``)).trim().split(`\n`);
    const value = Number(lines.at(-1));
    maxRssKiB = Number.isFinite(value) && value > 0 ? value : null;
  }
  const packumentRequests = requests.filter(r => r.kind === `packument`);
  /** @type {Map<string | null, number>} */
  const packumentRequestsByName = new Map();
  for (const r of packumentRequests) packumentRequestsByName.set(r.name, (packumentRequestsByName.get(r.name) ?? 0) + 1);
  const bytesOf = (/** @type {typeof requests} */ list) => list.reduce((sum, r) => sum + r.bytes, 0);
  return {
    wallMs: Math.round(wallMs),
    requests: requests.length,
    packuments: packumentRequests.length,
    packuments304: requests.filter(r => r.kind === `packument` && r.status === 304).length,
    // Packument requests whose Accept header asks for the abbreviated document (npm's install-v1, without `time`).
    packumentsAbbreviatedAsked: requests.filter(r => r.kind === `packument` && (r.accept ?? ``).includes(`application/vnd.npm.install-v1+json`)).length,
    packumentAccepts: [...new Set(requests.filter(r => r.kind === `packument`).map(r => r.accept ?? `(none)`))],
    tarballs: requests.filter(r => r.kind === `tarball`).length,
    // The cold target allows one document request per package name: the most any one name was asked for (304s included).
    maxPackumentRequestsPerName: Math.max(0, ...packumentRequestsByName.values()),
    // Response bodies as the registry sent them (it compresses nothing; a 304 has none).
    packumentBytes: bytesOf(packumentRequests),
    tarballBytes: bytesOf(requests.filter(r => r.kind === `tarball`)),
    bytes: bytesOf(requests),
    otherRequests: requests.filter(r => r.kind === `other`).length,
    failedRequests: requests.filter(r => r.status === null || r.status >= 400).length,
    maxRssKiB,
    quarantineLine: quarantineSummary(result.output),
    checkLine: result.output.split(`\n`).map(l => l.slice(l.indexOf(`Quarantine check:`))).find(l => l.startsWith(`Quarantine check:`))?.trim() ?? null,
    pendingLine: result.output.split(`\n`).map(l => l.slice(l.indexOf(`Pending:`))).find(l => l.startsWith(`Pending:`))?.trim() ?? null,
    pendingEntries: result.output.split(`\n`).filter(l => / would replace .* under /.test(l)).length,
    stepsMs: stepDurations(result.output),
  };
}

/** @param {Awaited<ReturnType<typeof measure>>} sample */
function describe(sample) {
  const sec = (/** @type {number | null} */ ms) => (ms === null ? `?` : (ms / 1000).toFixed(1));
  const {resolution, fetch, link} = sample.stepsMs;
  const rss = sample.maxRssKiB === null ? `n/a` : `${Math.round(sample.maxRssKiB / 1024)} MiB`;
  const line = sample.quarantineLine?.replace(/; policy:.*/, ``) ?? sample.checkLine ?? sample.pendingLine;
  const summary = line ? `; ${line}` : ``;
  const failed = sample.failedRequests > 0 ? ` (${sample.failedRequests} failed or unanswered)` : ``;
  const steps = resolution === null && fetch === null && link === null ? `` : ` (resolution ${sec(resolution)}s, fetch ${sec(fetch)}s, link ${sec(link)}s)`;
  const wall = sample.wallMs < 10_000 ? (sample.wallMs / 1000).toFixed(2) : sec(sample.wallMs);
  return `  ${wall}s${steps}, ${sample.packuments} packuments, ${sample.tarballs} tarballs${failed}, ${formatBytes(sample.bytes)} received, max RSS ${rss}${summary}`;
}

/** Decimal units, as registries and CI logs print sizes. @param {number | null} bytes */
function formatBytes(bytes) {
  if (bytes === null) return `n/a`;
  if (bytes < 1e3) return `${bytes} B`;
  return bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

/** The plugin's one summary line, `Quarantine: N versions checked, ...`, without Yarn's prefix. @param {string} output */
function quarantineSummary(output) {
  const line = output.split(`\n`).find(l => /Quarantine: \d/.test(l));
  return line ? line.slice(line.indexOf(`Quarantine:`)).trim() : null;
}

/**
 * `pending`'s summary line: how many versions it holds back, across how many packages, and how many package names it
 * looked up (those with a range accepting a newer version than the locked one). @param {string | null} line
 */
function pendingCounts(line) {
  const count = (/** @type {RegExp} */ pattern) => {
    const match = line === null ? null : pattern.exec(line);
    return match ? Number(match[1].replace(/[^\d]/g, ``)) : null;
  };
  const nothing = line?.includes(`nothing held back`) ? 0 : null;
  return {
    versions: count(/Pending: ([\d,.]+) versions? held back/) ?? nothing,
    packages: count(/held back across ([\d,.]+) packages?/) ?? nothing,
    lookedUpNames: count(/([\d,.]+) packages? with ranges that accept newer versions looked up/),
  };
}

/**
 * The SARIF log `check --format sarif --output <file>` wrote: it must be there and be a SARIF 2.1.0 log, or the bench
 * stops; returns how many results it holds. @param {string} file
 */
async function sarifResults(file) {
  const text = await readFile(file, `utf8`).catch(() => null);
  if (text === null) throw new Error(`yarn quarantine check --format sarif --output ${file} exited as expected but wrote no file`);
  const log = JSON.parse(text);
  if (log.version !== `2.1.0` || !Array.isArray(log.runs) || !Array.isArray(log.runs[0]?.results))
    throw new Error(`${file} is not a SARIF 2.1.0 log with a run and its results: ${text.slice(0, 200)}`);
  return log.runs.reduce((/** @type {number} */ sum, /** @type {{results: unknown[]}} */ r) => sum + r.results.length, 0);
}

/** `1m 2s 345ms` → ms. @param {string} text */
function parseDuration(text) {
  let ms = 0;
  for (const [, n, unit] of text.matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h)\b/g)) ms += Number(n) * {ms: 1, s: 1e3, m: 6e4, h: 3.6e6}[unit];
  return Math.round(ms);
}

/**
 * Yarn's own step timers: `└ Completed in 2s 345ms` closes each step that took over 200 ms (a bare `└ Completed` is
 * recorded as 0), and `Done in` gives Yarn's total without process start-up.
 * @param {string} output
 */
function stepDurations(output) {
  /** @type {Record<string, number | null>} */
  const steps = {resolution: null, fetch: null, link: null, total: null};
  let current = null;
  for (const line of output.split(`\n`)) {
    const open = /┌ (\w+) step/.exec(line);
    if (open) current = open[1].toLowerCase();
    const close = /└ Completed(?: in (.*))?$/.exec(line.trim());
    if (close && current) {
      steps[current] = close[1] ? parseDuration(close[1]) : 0;
      current = null;
    }
    const done = /Done(?: with warnings)? in (.*)$/.exec(line.trim());
    if (done) steps.total = parseDuration(done[1]);
  }
  return steps;
}

// ---------------------------------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------------------------------

if (!existsSync(BUNDLE)) {
  console.error(`The plugin bundle is missing (${relative(REPO_ROOT, BUNDLE)}); run \`yarn build\` first.`);
  await rm(measureDir, {recursive: true, force: true});
  process.exit(1);
}
const HAVE_GATE = hasBuiltinAgeGate(yarnBinary());
const yarnVersion = JSON.parse(readFileSync(join(dirname(dirname(yarnBinary())), `package.json`), `utf8`)).version;
const machine = {
  cpu: cpus()[0]?.model?.trim() ?? `unknown`,
  cores: availableParallelism(),
  memoryGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10,
  node: process.version,
  yarn: yarnVersion,
  platform: `${process.platform}-${process.arch}`,
  maxRss: haveTime ? `${TIME_BINARY} -f %M` : `n/a (${TIME_BINARY} not found)`,
};

const graph = generateGraph(PACKAGES, SEED);
progress(`graph: ${graph.stats.packages} packages (${graph.stats.scoped} scoped), ${graph.stats.versions} versions, ${graph.stats.edges} edges, ${graph.stats.directDependencies} direct deps, layers ${graph.stats.layerSizes.join(`/`)}`);
if (!HAVE_GATE) progress(`this Yarn has no npmMinimalAgeGate: the fresh-resolution comparison with Yarn's own gate is skipped`);
if (!haveTime) progress(`${TIME_BINARY} not found: peak memory will be reported as n/a (apt-get install -y time)`);

const BUNDLE_KNOWS_APPROVED_SCRIPTS = readFileSync(BUNDLE, `utf8`).includes(`quarantineApprovedScripts`);

const registry = await startRegistry({packages: graph.packages, delayMs: DELAY_MS});
// Build every tarball up front so no measured run pays for gzip in the registry (same process, same CPUs); a change to
// a package's document drops its tarballs, so they are built again after each.
/** @param {string[]} names */
const buildTarballs = names => {
  for (const name of names) {
    const versions = /** @type {Record<string, unknown>} */ (registry.packages.packument(name).versions);
    for (const version of Object.keys(versions)) registry.packages.tarball(name, version);
  }
};
buildTarballs(graph.packages.map(pkg => pkg.name));
progress(`registry up with ${DELAY_MS} ms latency per request; Yarn ${yarnVersion}, Node ${process.version}, ${machine.cores} cores`);

const manifest = {name: `bench-app`, version: `1.0.0`, private: true, dependencies: graph.appDependencies};
/** @type {Set<import('./lib/yarn-project.mjs').Project>} */
const live = new Set();
/**
 * Scripts off: a few percent of the packages have a postinstall, and Yarn spawning them would weigh on the fresh and
 * cold timings alike; the update scenario turns them on in its copies.
 * @param {boolean} plugin @param {Record<string, string>} [files]
 */
async function project(plugin, files = {}) {
  const created = await createProject({registry, manifest, plugin, files, yarnrc: {enableScripts: false}});
  live.add(created);
  return created;
}
const execFileAsync = promisify(execFile);
/** A new project holding a copy of another's files and global folder (Yarn's metadata, the plugin's release times). @param {import('./lib/yarn-project.mjs').Project} from @param {boolean} plugin */
async function copyOf(from, plugin) {
  const copy = await project(plugin);
  for (const [source, target] of [[from.dir, copy.dir], [from.globalFolder, copy.globalFolder]]) await execFileAsync(`cp`, [`-a`, `${source}/.`, `${target}/`]);
  return copy;
}
/** @param {import('./lib/yarn-project.mjs').Project} p */
async function dispose(p) {
  live.delete(p);
  await p.dispose();
}
async function cleanup() {
  await Promise.allSettled([...live].map(p => p.dispose()));
  live.clear();
  await rm(measureDir, {recursive: true, force: true});
  await registry.close();
}
for (const signal of [`SIGINT`, `SIGTERM`]) {
  process.once(signal, () => {
    progress(`${signal}: cleaning up`);
    cleanup().finally(() => process.exit(130));
  });
}

const SCENARIOS = /** @type {const} */ ([
  {key: `fresh`, label: `fresh resolution (no lockfile, cold caches)`},
  {key: `cold`, label: `cold install with lockfile (CI, \`--immutable\`)`},
  {key: `warm`, label: `warm install (lockfile, caches, node_modules)`},
  {key: `update`, label: `update: \`yarn up -R\` of ${UPDATE_COUNT} locked packages (warm project, scripts on)`},
]);
const VARIANTS = /** @type {const} */ ([`alone`, `plugin`]);
/** Fresh resolution also runs Yarn alone with its own release-age gate on (`gate`), when this Yarn has one. */
const FRESH_VARIANTS = /** @type {Array<'alone' | 'plugin' | 'gate'>} */ (HAVE_GATE ? [`alone`, `plugin`, `gate`] : [`alone`, `plugin`]);
/** @type {Record<string, string>} */
const VARIANT_LABELS = {alone: `Yarn alone`, plugin: `with plugin`, gate: `Yarn alone, npmMinimalAgeGate ${GATE_MINUTES}`};
// `run()` sets YARN_NPM_MINIMAL_AGE_GATE=0 unless the yarnrc sets the setting; the environment beats the file, so the
// gate is turned on through the environment too.
/** @type {Record<string, Record<string, string>>} */
const VARIANT_ENV = {alone: {}, plugin: {}, gate: {YARN_NPM_MINIMAL_AGE_GATE: String(GATE_MINUTES)}};
/** @type {Record<string, Record<string, Array<Awaited<ReturnType<typeof measure>>>>>} */
const samples = Object.fromEntries(SCENARIOS.map(s => [s.key, {alone: [], plugin: [], ...(s.key === `fresh` ? {gate: []} : {})}]));
/** @typedef {Awaited<ReturnType<typeof measure>>} Sample */
/** @typedef {Sample & {sarifResults: number}} SarifSample */
/**
 * `yarn quarantine check` in the warm project with the plugin, `check --format sarif --output <file>` next to it, and
 * `yarn config get` there as the start-up floor.
 */
const checkSamples = {check: /** @type {Sample[]} */ ([]), sarif: /** @type {SarifSample[]} */ ([]), floor: /** @type {Sample[]} */ ([])};
/**
 * In a copy of the plugin's warm project, with PENDING_COUNT fresh releases published: `yarn quarantine pending`; then
 * `check` and `check --format sarif` with every locked version a finding.
 */
const copySamples = {
  pending: /** @type {Array<Sample & ReturnType<typeof pendingCounts>>} */ ([]),
  checkEveryFinding: /** @type {Sample[]} */ ([]),
  sarifEveryFinding: /** @type {SarifSample[]} */ ([]),
};
/** @type {ReturnType<typeof planPending> | null} */
let pendingReleases = null;
/**
 * The lockfile rule's own cost in the warm project (its cache is inside the project, as in a zero-install one, so every
 * archive's manifest is read): warm installs with `quarantineLockfile` verify and trust, alternating; and Yarn's own
 * full verification of such a cache, `--check-cache`, which downloads every archive again.
 */
const lockfileRuleSamples = {verify: /** @type {Array<Awaited<ReturnType<typeof measure>>>} */ ([]), trust: /** @type {Array<Awaited<ReturnType<typeof measure>>>} */ ([]), checkCache: /** @type {Array<Awaited<ReturnType<typeof measure>>>} */ ([])};
/** @type {Array<{run: number, identical: boolean, gateIdentical: boolean | null}>} */
const lockfileChecks = [];
/** Distinct package names in the lockfile's npm resolutions (the cold target allows one request per name). */
let lockedNames = null;
/** @type {ReturnType<typeof planUpdate> | null} */
let update = null;
/** Per run: how many of the updated names the lockfile written by each variant holds at the new version, and whether the two lockfiles are the same. */
/** @type {Array<{run: number, updated: Record<string, number>, identical: boolean}>} */
const updateChecks = [];

let sarifSeq = 0;
/**
 * `yarn quarantine check --format sarif --output <file>`, measured, with the number of results in the log it wrote.
 * @param {import('./lib/yarn-project.mjs').Project} p @param {Record<string, string>} [env] @param {number[]} [codes]
 */
async function measureSarifCheck(p, env = {}, codes = [0]) {
  const file = join(measureDir, `check-${++sarifSeq}.sarif`);
  const sample = await measure(p, registry, [`quarantine`, `check`, `--format`, `sarif`, `--output`, file], env, codes);
  const results = await sarifResults(file);
  await rm(file);
  return {...sample, sarifResults: results};
}

/**
 * `yarn quarantine pending` in a copy of the plugin's warm project (its cache, Yarn's metadata and the plugin's release
 * times come along), with fresh releases published for as long as the copy lives; then `check` and `check --format
 * sarif` there with every locked version a finding (exit code 1), alternating.
 * @param {import('./lib/yarn-project.mjs').Project} warm @param {ReturnType<typeof planPending>} fresh @param {number} run
 */
async function measureInCopy(warm, fresh, run) {
  const p = await copyOf(warm, true);
  for (const {name, version, spec} of fresh) registry.packages.addVersion(name, version, spec);
  buildTarballs(fresh.map(r => r.name));
  try {
    for (let i = 1; i <= CHECK_RUNS; i++) {
      progress(`run ${run}/${RUNS} yarn quarantine pending, warm copy with ${fresh.length} fresh releases (${i}/${CHECK_RUNS}) ...`);
      const sample = await measure(p, registry, [`quarantine`, `pending`]);
      const counts = pendingCounts(sample.pendingLine);
      copySamples.pending.push({...sample, ...counts});
      progress(`${describe(sample)} (${sample.packuments304} of its packument requests answered 304)`);
      if (counts.versions !== fresh.length || sample.pendingEntries < fresh.length)
        progress(`  warning: ${fresh.length} fresh releases published, pending lists ${counts.versions ?? `n/a`} versions in ${sample.pendingEntries} lines`);
    }
    const everyFinding = {YARN_QUARANTINE_PERIOD: EVERY_VERSION_A_FINDING_PERIOD};
    // One such check first, not measured, so that neither format gets the first run under the long period: a first run
    // has been seen to take up to twice as long as the next ones, with the same requests and no file written.
    progress(`run ${run}/${RUNS} yarn quarantine check, every locked version a finding, once first (not measured) ...`);
    const first = await p.run([`quarantine`, `check`], {env: everyFinding, timeoutMs: RUN_TIMEOUT_MS});
    if (first.code !== 1) throw new Error(`yarn quarantine check with quarantinePeriod ${EVERY_VERSION_A_FINDING_PERIOD} exited ${first.code}, not 1:\n${first.output.trimEnd().split(`\n`).slice(-25).join(`\n`)}`);
    for (let i = 1; i <= CHECK_RUNS; i++) {
      for (const format of i % 2 === 1 ? [`text`, `sarif`] : [`sarif`, `text`]) {
        progress(`run ${run}/${RUNS} yarn quarantine check${format === `sarif` ? ` --format sarif --output <file>` : ``}, every locked version a finding (${i}/${CHECK_RUNS}) ...`);
        if (format === `sarif`) {
          const sample = await measureSarifCheck(p, everyFinding, [1]);
          copySamples.sarifEveryFinding.push(sample);
          progress(`${describe(sample)}; ${sample.sarifResults} results in the SARIF log`);
        } else {
          const sample = await measure(p, registry, [`quarantine`, `check`], everyFinding, [1]);
          copySamples.checkEveryFinding.push(sample);
          progress(describe(sample));
        }
      }
    }
  } finally {
    for (const {name, version} of fresh) registry.packages.removeVersion(name, version);
    buildTarballs(fresh.map(r => r.name));
    await dispose(p);
  }
}

/** @param {string} lockfile */
function countLockedNames(lockfile) {
  const names = new Set();
  for (const [, name] of lockfile.matchAll(/^\s+resolution: "?(.+?)@npm:[^"\n]+"?$/gm)) names.add(name);
  return names.size;
}

try {
  for (let run = 1; run <= RUNS; run++) {
    // Alternate which variant goes first, so drift (page cache, thermal, registry JIT) doesn't favour one side.
    const order = run % 2 === 1 ? VARIANTS : [...VARIANTS].reverse();
    // Fresh has up to three variants: rotate, so each takes each position once every three runs.
    const freshOrder = FRESH_VARIANTS.map((_, i) => FRESH_VARIANTS[(i + run - 1) % FRESH_VARIANTS.length]);
    /** @type {Record<string, string | null>} */
    const lockfiles = {};

    // Fresh resolution: new project, new global folder, no lockfile.
    for (const variant of freshOrder) {
      const p = await project(variant === `plugin`);
      progress(`run ${run}/${RUNS} fresh resolution, ${VARIANT_LABELS[variant]} ...`);
      const sample = await measure(p, registry, [`install`], VARIANT_ENV[variant]);
      samples.fresh[variant].push(sample);
      lockfiles[variant] = await p.lockfile();
      progress(describe(sample));
      await dispose(p);
    }
    const identical = lockfiles.alone === lockfiles.plugin;
    const gateIdentical = HAVE_GATE ? lockfiles.alone === lockfiles.gate : null;
    lockfileChecks.push({run, identical, gateIdentical});
    if (!identical) progress(`  warning: the lockfiles written with and without the plugin differ`);
    if (gateIdentical === false) progress(`  warning: the lockfiles written by Yarn alone with and without its gate differ`);
    const lockfile = lockfiles.alone;
    if (lockfile === null) throw new Error(`The fresh install wrote no lockfile`);
    lockedNames ??= countLockedNames(lockfile);

    // Cold install with the lockfile (new project: fresh global folder, empty cache, no node_modules), then warm.
    /** @type {Record<string, import('./lib/yarn-project.mjs').Project>} */
    const warmProjects = {};
    for (const variant of order) {
      const p = await project(variant === `plugin`, {'yarn.lock': lockfile});
      progress(`run ${run}/${RUNS} cold install with lockfile, ${VARIANT_LABELS[variant]} ...`);
      const cold = await measure(p, registry, [`install`, `--immutable`]);
      samples.cold[variant].push(cold);
      progress(describe(cold));

      progress(`run ${run}/${RUNS} warm install, ${VARIANT_LABELS[variant]} ...`);
      const warm = await measure(p, registry, [`install`]);
      samples.warm[variant].push(warm);
      progress(describe(warm));

      if (variant === `plugin`) {
        // `yarn quarantine check` on the warm project; `yarn config get` (Node, Yarn, configuration and plugin loaded,
        // no project) alternates with it as the floor any command pays.
        for (let i = 1; i <= CHECK_RUNS; i++) {
          progress(`run ${run}/${RUNS} yarn quarantine check, warm (${i}/${CHECK_RUNS}) ...`);
          const check = await measure(p, registry, [`quarantine`, `check`]);
          checkSamples.check.push(check);
          progress(describe(check));
          progress(`run ${run}/${RUNS} yarn quarantine check --format sarif --output <file>, warm (${i}/${CHECK_RUNS}) ...`);
          const sarif = await measureSarifCheck(p);
          checkSamples.sarif.push(sarif);
          progress(`${describe(sarif)}; ${sarif.sarifResults} results in the SARIF log`);
          const floor = await measure(p, registry, [`config`, `get`, `nodeLinker`]);
          checkSamples.floor.push(floor);
          progress(`  floor (yarn config get nodeLinker): ${describe(floor).trim()}`);
        }
        for (let i = 1; i <= CHECK_RUNS; i++) {
          for (const mode of i % 2 === 1 ? [`verify`, `trust`] : [`trust`, `verify`]) {
            progress(`run ${run}/${RUNS} warm install, quarantineLockfile ${mode} (${i}/${CHECK_RUNS}) ...`);
            const sample = await measure(p, registry, [`install`], {YARN_QUARANTINE_LOCKFILE: mode});
            lockfileRuleSamples[/** @type {'verify' | 'trust'} */ (mode)].push(sample);
            progress(describe(sample));
          }
        }
        progress(`run ${run}/${RUNS} yarn install --immutable --immutable-cache --check-cache ...`);
        const checkCache = await measure(p, registry, [`install`, `--immutable`, `--immutable-cache`, `--check-cache`]);
        lockfileRuleSamples.checkCache.push(checkCache);
        progress(describe(checkCache));
      }
      warmProjects[variant] = p;
    }

    const releases = (update ??= planUpdate(graph.packages, lockfile, SEED));
    // Pending, after every other warm measurement and in a copy: the warm projects stay as they were for the update,
    // and the fresh releases are gone again before it (their names are among the update's, whose documents it changes).
    pendingReleases = planPending(releases);
    await measureInCopy(warmProjects.plugin, pendingReleases, run);

    // Update: patch releases of locked packages appear; each variant's warm project is copied, its scripts turned on
    // and built once (not measured, as in a project that always ran them), then `yarn up -R <names>` is measured.
    for (const {name, version, spec} of releases) registry.packages.addVersion(name, version, spec);
    buildTarballs(releases.map(u => u.name));
    /** @type {Record<string, string | null>} */
    const updateLockfiles = {};
    for (const variant of order) {
      const p = await copyOf(warmProjects[variant], variant === `plugin`);
      const approvals = variant === `plugin` && BUNDLE_KNOWS_APPROVED_SCRIPTS
        ? {quarantineApprovedScripts: releases.filter(u => u.addsPostinstall).map(u => `${u.name}@${u.version}`)}
        : {};
      await p.setYarnrc({enableScripts: true, ...approvals});
      progress(`run ${run}/${RUNS} update, ${VARIANT_LABELS[variant]}: copy's install scripts built first (not measured) ...`);
      const built = await p.run([`install`], {timeoutMs: RUN_TIMEOUT_MS});
      if (built.code !== 0) throw new Error(`Building the install scripts of the update's copy failed:\n${built.output.trimEnd().split(`\n`).slice(-25).join(`\n`)}`);
      progress(`run ${run}/${RUNS} update (yarn up -R ${releases.length} names), ${VARIANT_LABELS[variant]} ...`);
      const sample = await measure(p, registry, [`up`, `-R`, ...releases.map(u => u.name)]);
      samples.update[variant].push(sample);
      progress(describe(sample));
      updateLockfiles[variant] = await p.lockfile();
      await dispose(p);
    }
    const updated = Object.fromEntries(Object.entries(updateLockfiles).map(([variant, text]) =>
      [variant, releases.filter(u => text?.includes(`resolution: "${u.name}@npm:${u.version}"`)).length]));
    updateChecks.push({run, updated, identical: updateLockfiles.alone === updateLockfiles.plugin});
    progress(`  update: ${Object.entries(updated).map(([variant, n]) => `${n} of ${releases.length} names at the new version (${VARIANT_LABELS[variant]})`).join(`, `)}${updateLockfiles.alone === updateLockfiles.plugin ? `` : `; warning: the lockfiles differ`}`);
    for (const {name, version} of releases) registry.packages.removeVersion(name, version);
    buildTarballs(releases.map(u => u.name));
    for (const p of Object.values(warmProjects)) await dispose(p);
  }
} catch (error) {
  await cleanup();
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
await cleanup();

// ---------------------------------------------------------------------------------------------------------------------
// Report
// ---------------------------------------------------------------------------------------------------------------------

/** @param {Array<Awaited<ReturnType<typeof measure>>>} list */
const summarize = list => ({
  wallMs: median(list.map(s => s.wallMs)),
  requests: median(list.map(s => s.requests)),
  packuments: median(list.map(s => s.packuments)),
  packuments304: median(list.map(s => s.packuments304)),
  tarballs: median(list.map(s => s.tarballs)),
  // The worst run, not the median: the bound holds in every run or it does not hold.
  maxPackumentRequestsPerName: list.length > 0 ? Math.max(...list.map(s => s.maxPackumentRequestsPerName)) : null,
  packumentBytes: median(list.map(s => s.packumentBytes)),
  tarballBytes: median(list.map(s => s.tarballBytes)),
  bytes: median(list.map(s => s.bytes)),
  maxRssKiB: median(list.map(s => s.maxRssKiB ?? NaN)),
  wallMsRange: list.length > 0 ? [Math.min(...list.map(s => s.wallMs)), Math.max(...list.map(s => s.wallMs))] : null,
  stepsMs: Object.fromEntries([`resolution`, `fetch`, `link`, `total`].map(step => [step, median(list.map(s => s.stepsMs[step] ?? NaN))])),
});

const results = SCENARIOS.map(({key, label}) => {
  const alone = summarize(samples[key].alone);
  const plugin = summarize(samples[key].plugin);
  const ratio = alone.wallMs && plugin.wallMs ? plugin.wallMs / alone.wallMs : null;
  return {
    scenario: key,
    label,
    alone,
    plugin,
    ratio,
    overheadPercent: ratio === null ? null : (ratio - 1) * 100,
    extraPackumentRequests: plugin.packuments !== null && alone.packuments !== null ? plugin.packuments - alone.packuments : null,
    extraTarballRequests: plugin.tarballs !== null && alone.tarballs !== null ? plugin.tarballs - alone.tarballs : null,
    extraRequests: plugin.requests !== null && alone.requests !== null ? plugin.requests - alone.requests : null,
    extraBytes: plugin.bytes !== null && alone.bytes !== null ? plugin.bytes - alone.bytes : null,
    samples: samples[key],
  };
});
const byKey = Object.fromEntries(results.map(r => [r.scenario, r]));
const freshGate = HAVE_GATE ? summarize(samples.fresh.gate) : null;
const check = {
  check: summarize(checkSamples.check),
  sarif: summarize(checkSamples.sarif),
  sarifResults: median(checkSamples.sarif.map(s => s.sarifResults)),
  floor: summarize(checkSamples.floor),
  runs: checkSamples.check.length,
  samples: checkSamples,
};
const pending = {
  releases: pendingReleases?.map(({name, version, spec}) => ({name, version, publishedAt: spec.publishedAt})) ?? [],
  listedVersions: median(copySamples.pending.map(s => s.versions ?? NaN)),
  listedPackages: median(copySamples.pending.map(s => s.packages ?? NaN)),
  listedLines: median(copySamples.pending.map(s => s.pendingEntries)),
  lookedUpNames: median(copySamples.pending.map(s => s.lookedUpNames ?? NaN)),
  pending: summarize(copySamples.pending),
  everyFinding: {
    period: EVERY_VERSION_A_FINDING_PERIOD,
    check: summarize(copySamples.checkEveryFinding),
    sarif: summarize(copySamples.sarifEveryFinding),
    sarifResults: median(copySamples.sarifEveryFinding.map(s => s.sarifResults)),
  },
  runs: copySamples.pending.length,
  samples: copySamples,
};
const lockfileRule = {
  verify: summarize(lockfileRuleSamples.verify),
  trust: summarize(lockfileRuleSamples.trust),
  checkCache: summarize(lockfileRuleSamples.checkCache),
  samples: lockfileRuleSamples,
};

/**
 * Each target, its figure and pass/fail. A timing target is also marked "within noise" when the two wall-time ranges
 * overlap: on a shared machine a few percent either way is not a measured difference.
 */
const overlaps = (/** @type {number[] | null} */ a, /** @type {number[] | null} */ b) => Boolean(a && b && a[0] <= b[1] && b[0] <= a[1]);
const pct = (/** @type {number | null} */ n) => (n === null ? `n/a` : `${n >= 0 ? `+` : `−`}${Math.abs(n).toFixed(1)}%`);
/** @type {Array<{target: string, figure: string, pass: boolean | null, note: string}>} */
const targets = [
  {
    target: `warm install: overhead ≤ ${TARGETS.warmOverheadPercent}%`,
    figure: pct(byKey.warm.overheadPercent),
    pass: byKey.warm.overheadPercent === null ? null : byKey.warm.overheadPercent <= TARGETS.warmOverheadPercent,
    note: overlaps(byKey.warm.alone.wallMsRange, byKey.warm.plugin.wallMsRange) ? `ranges overlap: within noise` : `ranges do not overlap`,
  },
  {
    target: `warm install: 0 registry requests by the plugin`,
    figure: `${byKey.warm.extraRequests ?? `n/a`} extra (${byKey.warm.plugin.requests ?? `n/a`} in all with the plugin, ${formatBytes(byKey.warm.plugin.bytes)})`,
    pass: byKey.warm.extraRequests === null ? null : byKey.warm.extraRequests <= 0,
    note: ``,
  },
  {
    target: `cold install with lockfile: overhead ≤ ${TARGETS.coldOverheadPercent}%`,
    figure: pct(byKey.cold.overheadPercent),
    pass: byKey.cold.overheadPercent === null ? null : byKey.cold.overheadPercent <= TARGETS.coldOverheadPercent,
    note: overlaps(byKey.cold.alone.wallMsRange, byKey.cold.plugin.wallMsRange) ? `ranges overlap: within noise` : `ranges do not overlap`,
  },
  {
    target: `cold install with lockfile: ≤ 1 request per locked package name`,
    figure: `${byKey.cold.extraRequests ?? `n/a`} extra for ${lockedNames ?? `n/a`} names; at most ${byKey.cold.plugin.maxPackumentRequestsPerName ?? `n/a`} per name`,
    pass: byKey.cold.extraRequests === null || lockedNames === null || byKey.cold.plugin.maxPackumentRequestsPerName === null
      ? null
      : byKey.cold.extraRequests <= lockedNames && byKey.cold.plugin.maxPackumentRequestsPerName <= 1,
    note: ``,
  },
  {
    target: `fresh resolution: requests ≤ Yarn with npmMinimalAgeGate ${GATE_MINUTES}`,
    figure: freshGate ? `${byKey.fresh.plugin.requests} with plugin vs ${freshGate.requests} with the gate` : `n/a`,
    pass: freshGate && freshGate.requests !== null && byKey.fresh.plugin.requests !== null ? byKey.fresh.plugin.requests <= freshGate.requests : null,
    note: freshGate ? `` : `this Yarn has no npmMinimalAgeGate`,
  },
  {
    // The install-script rule reads the registry's own document of each updated package: Yarn's copy drops what it needs.
    target: `update: ≤ 1 extra packument request per updated name over Yarn alone`,
    figure: `${byKey.update.extraPackumentRequests ?? `n/a`} extra for ${UPDATE_COUNT} updated names (${byKey.update.plugin.packuments ?? `n/a`} with the plugin, ${byKey.update.alone.packuments ?? `n/a`} alone; ${byKey.update.extraBytes === null ? `n/a` : `${byKey.update.extraBytes < 0 ? `−` : `+`}${formatBytes(Math.abs(byKey.update.extraBytes))}`})`,
    pass: byKey.update.extraPackumentRequests === null ? null : byKey.update.extraPackumentRequests <= UPDATE_COUNT,
    note: `at most ${byKey.update.plugin.maxPackumentRequestsPerName ?? `n/a`} per name with the plugin`,
  },
  {
    target: `yarn quarantine check, warm: < ${TARGETS.checkWarmMs / 1000} s`,
    figure: check.check.wallMs === null ? `n/a` : `${(check.check.wallMs / 1000).toFixed(2)} s (median of ${check.runs})`,
    pass: check.check.wallMs === null ? null : check.check.wallMs < TARGETS.checkWarmMs,
    note: check.check.wallMsRange ? `range ${(check.check.wallMsRange[0] / 1000).toFixed(2)}–${(check.check.wallMsRange[1] / 1000).toFixed(2)} s` : ``,
  },
  {
    target: `yarn quarantine pending, warm: ≤ 1 packument request per name looked up`,
    figure: `${pending.pending.packuments ?? `n/a`} requests (${pending.pending.packuments304 ?? `n/a`} answered 304) for ${pending.lookedUpNames ?? `n/a`} names looked up; at most ${pending.pending.maxPackumentRequestsPerName ?? `n/a`} per name`,
    pass: pending.pending.packuments === null || pending.lookedUpNames === null || pending.pending.maxPackumentRequestsPerName === null
      ? null
      : pending.pending.packuments <= pending.lookedUpNames && pending.pending.maxPackumentRequestsPerName <= 1,
    note: `${pending.listedVersions ?? `n/a`} versions listed for ${pending.releases.length} fresh releases`,
  },
];
const mark = (/** @type {boolean | null} */ pass) => (pass === null ? `n/a` : pass ? `✓ pass` : `✗ fail`);

const seconds = (/** @type {number | null} */ ms) => (ms === null ? `n/a` : `${(ms / 1000).toFixed(2)} s`);
const mib = (/** @type {number | null} */ kib) => (kib === null ? `n/a` : `${Math.round(kib / 1024)}`);
const signed = (/** @type {number} */ n, digits = 0) => `${n >= 0 ? `+` : `−`}${Math.abs(n).toFixed(digits)}`;
const requests = (/** @type {{packuments: number | null, tarballs: number | null}} */ s) => `${s.packuments ?? `n/a`} / ${s.tarballs ?? `n/a`}`;

const lines = [
  `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; Yarn ${machine.yarn} (node-modules linker); peak memory: ${machine.maxRss}`,
  `Graph: ${graph.stats.packages} packages (${graph.stats.scoped} scoped, ${graph.stats.withPostinstall} with a postinstall in every version; \`enableScripts: false\` except in the update), ${graph.stats.versions} versions published 30+ days ago, ${graph.stats.directDependencies} direct deps, depth ${graph.stats.layerSizes.filter(n => n > 0).length}; registry latency ${DELAY_MS} ms per request; median of ${RUNS} run${RUNS === 1 ? `` : `s`} per cell, alternating order`,
  ``,
  `| scenario | Yarn alone | with plugin | overhead % (ratio) | extra packument requests | requests alone → with (packuments / tarballs) | max RSS alone / with (MiB) |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  ...results.map(r => `| ${r.label} | ${seconds(r.alone.wallMs)} | ${seconds(r.plugin.wallMs)} | ${r.overheadPercent === null ? `n/a` : `${signed(r.overheadPercent, 1)}% (×${r.ratio?.toFixed(2)})`} | ${r.extraPackumentRequests === null ? `n/a` : signed(r.extraPackumentRequests)} | ${requests(r.alone)} → ${requests(r.plugin)} | ${mib(r.alone.maxRssKiB)} / ${mib(r.plugin.maxRssKiB)} |`),
  ``,
  `Where the time goes (medians of Yarn's own step timers, alone → with plugin; the plugin's release-time check runs at the end of the resolution step):`,
  ``,
  `| scenario | wall time range alone / with | resolution step | fetch step | link step | Yarn "Done in" |`,
  `|---|---:|---:|---:|---:|---:|`,
  ...results.map(r => {
    // Yarn prints no timer for a step under 200 ms; such a step is recorded as 0.
    const stepTime = (/** @type {number | null} */ ms) => (ms === 0 ? `<0.2 s` : seconds(ms));
    const step = (/** @type {string} */ name) => `${stepTime(r.alone.stepsMs[name])} → ${stepTime(r.plugin.stepsMs[name])}`;
    const range = (/** @type {number[] | null} */ x) => (x ? `${(x[0] / 1000).toFixed(1)}–${(x[1] / 1000).toFixed(1)} s` : `n/a`);
    return `| ${r.scenario} | ${range(r.alone.wallMsRange)} / ${range(r.plugin.wallMsRange)} | ${step(`resolution`)} | ${step(`fetch`)} | ${step(`link`)} | ${step(`total`)} |`;
  }),
  ``,
];

/** @typedef {ReturnType<typeof summarize>} Summary */
/** @param {string} label @param {Summary} x */
const trafficRow = (label, x) =>
  `| ${label} | ${x.packuments ?? `n/a`} (${x.packuments304 ?? `n/a`}) | ${x.maxPackumentRequestsPerName ?? `n/a`} | ${x.tarballs ?? `n/a`} | ${formatBytes(x.packumentBytes)} | ${formatBytes(x.tarballBytes)} | ${formatBytes(x.bytes)} |`;
lines.push(
  `Registry traffic (the registry's own log; medians, except the most packument requests any one name got, which is the worst run; bytes are response bodies as sent, uncompressed, none for a 304):`,
  ``,
  `| scenario | packument requests (304s) | max packument requests per name | tarball requests | packument bytes | tarball bytes | total bytes |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  ...results.flatMap(r => [
    trafficRow(`${r.scenario}, Yarn alone`, r.alone),
    ...(r.scenario === `fresh` && freshGate ? [trafficRow(`fresh, Yarn alone, npmMinimalAgeGate ${GATE_MINUTES}`, freshGate)] : []),
    trafficRow(`${r.scenario}, with plugin`, r.plugin),
  ]),
  trafficRow(`\`yarn quarantine check\`, warm`, check.check),
  trafficRow(`\`yarn quarantine check --format sarif --output <file>\`, warm`, check.sarif),
  trafficRow(`\`yarn quarantine pending\`, warm copy with ${pending.releases.length} fresh releases`, pending.pending),
  trafficRow(`\`yarn quarantine check\`, every locked version a finding`, pending.everyFinding.check),
  trafficRow(`\`yarn quarantine check --format sarif --output <file>\`, every locked version a finding`, pending.everyFinding.sarif),
  trafficRow(`warm, \`quarantineLockfile: verify\``, lockfileRule.verify),
  trafficRow(`warm, \`quarantineLockfile: trust\``, lockfileRule.trust),
  trafficRow(`\`install --immutable --immutable-cache --check-cache\``, lockfileRule.checkCache),
  ``,
);

const all = (/** @type {{packuments: number | null, tarballs: number | null, requests: number | null}} */ x) => `${x.packuments ?? `n/a`} | ${x.tarballs ?? `n/a`} | ${x.requests ?? `n/a`}`;
const range2 = (/** @type {number[] | null} */ x) => (x ? `${(x[0] / 1000).toFixed(2)}–${(x[1] / 1000).toFixed(2)} s` : `n/a`);
/** @param {Summary} a @param {Summary} b */
const difference = (a, b) => (a.wallMs !== null && b.wallMs !== null ? `${a.wallMs < b.wallMs ? `−` : ``}${seconds(Math.abs(a.wallMs - b.wallMs))}` : `n/a`);
lines.push(
  `Fresh resolution next to Yarn's own release-age gate (Yarn alone with \`YARN_NPM_MINIMAL_AGE_GATE=${GATE_MINUTES}\`, i.e. 1 day; the other two run with it at 0):`,
  ``,
  `| fresh resolution | wall time | range | packuments | tarballs | all requests | max RSS (MiB) |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  `| Yarn alone | ${seconds(byKey.fresh.alone.wallMs)} | ${range2(byKey.fresh.alone.wallMsRange)} | ${all(byKey.fresh.alone)} | ${mib(byKey.fresh.alone.maxRssKiB)} |`,
  ...(freshGate ? [`| Yarn alone, npmMinimalAgeGate ${GATE_MINUTES} | ${seconds(freshGate.wallMs)} | ${range2(freshGate.wallMsRange)} | ${all(freshGate)} | ${mib(freshGate.maxRssKiB)} |`] : []),
  `| with plugin | ${seconds(byKey.fresh.plugin.wallMs)} | ${range2(byKey.fresh.plugin.wallMsRange)} | ${all(byKey.fresh.plugin)} | ${mib(byKey.fresh.plugin.maxRssKiB)} |`,
  ``,
  `\`yarn quarantine check\` in the warm project with the plugin (after its warm install; ${CHECK_RUNS} per run, median of ${check.runs}), with \`--format sarif --output <file>\` right after it (${check.sarifResults ?? `n/a`} results in the log: the warm project has no finding), next to \`yarn config get nodeLinker\` in the same project as the floor every command pays (Node start-up, Yarn's bundle, configuration, plugin loaded). Then, in a copy of that project made after every other warm measurement, with patch releases of ${pending.releases.length} locked packages published 1 to 48 hours ago: \`yarn quarantine pending\` (${pending.listedVersions ?? `n/a`} versions listed across ${pending.listedPackages ?? `n/a`} packages; ${pending.lookedUpNames ?? `n/a`} names with a range accepting newer versions looked up), and \`check\` and \`check --format sarif\` with every locked version a finding (\`quarantinePeriod ${EVERY_VERSION_A_FINDING_PERIOD}\`, exit code 1; ${pending.everyFinding.sarifResults ?? `n/a`} results in the log), alternating, after one such \`check\` not measured:`,
  ``,
  `| command | wall time | range | packuments | tarballs | all requests | max RSS (MiB) |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  `| \`yarn quarantine check\` | ${seconds(check.check.wallMs)} | ${range2(check.check.wallMsRange)} | ${all(check.check)} | ${mib(check.check.maxRssKiB)} |`,
  `| \`yarn quarantine check --format sarif --output <file>\` | ${seconds(check.sarif.wallMs)} | ${range2(check.sarif.wallMsRange)} | ${all(check.sarif)} | ${mib(check.sarif.maxRssKiB)} |`,
  `| \`yarn quarantine pending\` (${pending.releases.length} fresh releases) | ${seconds(pending.pending.wallMs)} | ${range2(pending.pending.wallMsRange)} | ${all(pending.pending)} | ${mib(pending.pending.maxRssKiB)} |`,
  `| \`yarn quarantine check\`, every locked version a finding | ${seconds(pending.everyFinding.check.wallMs)} | ${range2(pending.everyFinding.check.wallMsRange)} | ${all(pending.everyFinding.check)} | ${mib(pending.everyFinding.check.maxRssKiB)} |`,
  `| \`yarn quarantine check --format sarif --output <file>\`, every locked version a finding | ${seconds(pending.everyFinding.sarif.wallMs)} | ${range2(pending.everyFinding.sarif.wallMsRange)} | ${all(pending.everyFinding.sarif)} | ${mib(pending.everyFinding.sarif.maxRssKiB)} |`,
  `| \`yarn config get nodeLinker\` (floor) | ${seconds(check.floor.wallMs)} | ${range2(check.floor.wallMsRange)} | ${all(check.floor)} | ${mib(check.floor.maxRssKiB)} |`,
  `| difference (the check's own work) | ${check.check.wallMs !== null && check.floor.wallMs !== null ? seconds(check.check.wallMs - check.floor.wallMs) : `n/a`} | | | | | |`,
  `| difference (the SARIF log, no finding) | ${difference(check.sarif, check.check)} | | | | | |`,
  `| difference (the SARIF log, every locked version a finding) | ${difference(pending.everyFinding.sarif, pending.everyFinding.check)} | | | | | |`,
  ``,
  `The lockfile rule in the warm project, whose cache is inside the project as in a zero-install one (every archive's manifest is read before the fetch step; ${CHECK_RUNS} of each per run, alternating), next to Yarn's own \`--check-cache\`, which downloads every archive again to compare it:`,
  ``,
  `| warm install with the plugin | wall time | range | resolution step | packuments | tarballs | max RSS (MiB) |`,
  `|---|---:|---:|---:|---:|---:|---:|`,
  `| \`quarantineLockfile: verify\` | ${seconds(lockfileRule.verify.wallMs)} | ${range2(lockfileRule.verify.wallMsRange)} | ${seconds(lockfileRule.verify.stepsMs.resolution)} | ${lockfileRule.verify.packuments ?? `n/a`} | ${lockfileRule.verify.tarballs ?? `n/a`} | ${mib(lockfileRule.verify.maxRssKiB)} |`,
  `| \`quarantineLockfile: trust\` | ${seconds(lockfileRule.trust.wallMs)} | ${range2(lockfileRule.trust.wallMsRange)} | ${seconds(lockfileRule.trust.stepsMs.resolution)} | ${lockfileRule.trust.packuments ?? `n/a`} | ${lockfileRule.trust.tarballs ?? `n/a`} | ${mib(lockfileRule.trust.maxRssKiB)} |`,
  `| \`install --immutable --immutable-cache --check-cache\` | ${seconds(lockfileRule.checkCache.wallMs)} | ${range2(lockfileRule.checkCache.wallMsRange)} | ${seconds(lockfileRule.checkCache.stepsMs.resolution)} | ${lockfileRule.checkCache.packuments ?? `n/a`} | ${lockfileRule.checkCache.tarballs ?? `n/a`} | ${mib(lockfileRule.checkCache.maxRssKiB)} |`,
  ``,
  `Targets:`,
  ``,
  `| target | figure | result | note |`,
  `|---|---:|:---:|---|`,
  ...targets.map(t => `| ${t.target} | ${t.figure} | ${mark(t.pass)} | ${t.note} |`),
  ``,
);
for (const r of results) {
  const line = r.samples.plugin.map(s => s.quarantineLine).find(Boolean);
  if (line) lines.push(`- ${r.scenario}, plugin's own summary (run 1): ${line.replace(/; policy:.*/, ``)}`);
}
const firstCheck = checkSamples.check[0];
if (firstCheck?.checkLine) lines.push(`- check, its own summary (run 1): ${[firstCheck.quarantineLine?.replace(/; policy:.*/, ``), firstCheck.checkLine].filter(Boolean).join(`; `)}`);
const firstPending = copySamples.pending[0];
if (firstPending?.pendingLine) lines.push(`- pending, its own summary (run 1): ${firstPending.pendingLine}`);
if (copySamples.pending.length > 0) lines.push(`- pending, packument requests (of which answered 304) in each repetition, in order: ${copySamples.pending.map(s => `${s.packuments} (${s.packuments304})`).join(`, `)}; in each run the first comes right after the fresh releases were published (their documents changed), the others find Yarn's metadata of them already revalidated`);
if (copySamples.pending.some(s => s.versions !== pending.releases.length)) lines.push(`- warning: ${pending.releases.length} fresh releases were published, but pending listed ${copySamples.pending.map(s => s.versions ?? `n/a`).join(`, `)} versions`);
const firstEveryFinding = copySamples.checkEveryFinding[0];
if (firstEveryFinding?.checkLine) lines.push(`- check with every locked version a finding, its own summary (run 1): ${firstEveryFinding.checkLine}`);
if (update) {
  const adding = update.filter(u => u.addsPostinstall);
  const keeping = update.filter(u => !u.addsPostinstall && u.spec.scripts).length;
  const approvals = BUNDLE_KNOWS_APPROVED_SCRIPTS
    ? `approved with \`quarantineApprovedScripts\` in the plugin's projects`
    : `not approved: this bundle does not know \`quarantineApprovedScripts\``;
  lines.push(`- update: ${update.length} locked packages got a patch release published 30 days ago (${keeping} keep the postinstall they had; ${adding.length} add one: ${adding.map(u => `${u.name}@${u.version}`).join(`, `)}, ${approvals}); at the new version after \`yarn up -R\`: ${updateChecks.map(c => `${c.updated.alone ?? `n/a`} alone, ${c.updated.plugin ?? `n/a`} with the plugin`).join(`; `)}`);
}
if (updateChecks.some(c => !c.identical)) lines.push(`- warning: the lockfiles written by the update with and without the plugin differed in run(s) ${updateChecks.filter(c => !c.identical).map(c => c.run).join(`, `)}`);
if (lockfileChecks.some(c => c.gateIdentical === false)) lines.push(`- warning: the lockfiles written by Yarn alone with and without its gate differed in run(s) ${lockfileChecks.filter(c => c.gateIdentical === false).map(c => c.run).join(`, `)}`);
if (lockfileChecks.some(c => !c.identical)) lines.push(`- warning: the lockfiles written with and without the plugin differed in run(s) ${lockfileChecks.filter(c => !c.identical).map(c => c.run).join(`, `)}`);
const totalSeconds = (performance.now() - startedAt) / 1000;
lines.push(`- benchmark took ${totalSeconds.toFixed(0)} s`);
console.log(lines.join(`\n`));

await mkdir(dirname(OUT), {recursive: true});
await writeFile(OUT, `${JSON.stringify({
  date: new Date().toISOString(),
  options: {packages: PACKAGES, runs: RUNS, delayMs: DELAY_MS, seed: SEED, checkRuns: CHECK_RUNS, gateMinutes: HAVE_GATE ? GATE_MINUTES : null, pendingCount: PENDING_COUNT},
  machine,
  graph: graph.stats,
  lockfileChecks,
  lockedNames,
  update: update && {
    releases: update.map(({name, from, version, addsPostinstall}) => ({name, from, version, addsPostinstall})),
    approvedScripts: BUNDLE_KNOWS_APPROVED_SCRIPTS,
    checks: updateChecks,
  },
  results,
  freshWithYarnGate: freshGate ? {...freshGate, samples: samples.fresh.gate} : null,
  check,
  pending,
  lockfileRule,
  targets,
  totalSeconds: Math.round(totalSeconds),
}, null, 2)}\n`);
progress(`raw numbers written to ${relative(process.cwd(), OUT) || OUT}`);
