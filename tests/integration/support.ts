import {mkdtemp, readdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach} from 'vitest';

import {axiosReplay, MARKER_FILE} from '../../scripts/lib/axios-replay.mjs';
import {startRegistry, type Registry, type RegistryOptions} from '../../scripts/lib/registry.mjs';
import {createProject, hasBuiltinAgeGate, yarnBinary, type Project, type ProjectOptions} from '../../scripts/lib/yarn-project.mjs';

/** The Yarn releases every core scenario runs on: the oldest 4.0, the last without Yarn's own gate, its first releases, and the newest. */
export const YARN_RELEASES = [`4.0.2`, `4.9.4`, `4.10.3`, `4.14.1`, `default`];

/** Yarn 4.10+ has its own gate (on by default from 4.15); tests of this plugin's rule turn it off unless they test both. */
export function withoutYarnGate(yarn = `default`): Record<string, string> {
  return hasBuiltinAgeGate(yarnBinary(yarn)) ? {npmMinimalAgeGate: `0`} : {};
}

const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  await Promise.all(cleanups.splice(0).map(cleanup => cleanup()));
});

export async function registryWith(options: RegistryOptions): Promise<Registry> {
  const registry = await startRegistry(options);
  cleanups.push(() => registry.close());
  return registry;
}

export async function projectWith(options: ProjectOptions): Promise<Project & {markerDir: string, install: (args?: Array<string>, env?: Record<string, string>) => ReturnType<Project[`run`]>, scriptRan: () => Promise<boolean>}> {
  const project = await createProject({...options, yarnrc: {...withoutYarnGate(options.yarn), ...options.yarnrc}});
  const markerDir = await mkdtemp(join(tmpdir(), `quarantine-marker-`));
  cleanups.push(() => project.dispose(), () => rm(markerDir, {recursive: true, force: true}));
  return Object.assign(project, {
    markerDir,
    install: (args: Array<string> = [`install`], env: Record<string, string> = {}) => project.run(args, {env: {MARKER_DIR: markerDir, ...env}}),
    scriptRan: async () => (await readdir(markerDir)).includes(MARKER_FILE),
  });
}

/** The lockfile a machine without the plugin would have written for `manifest`. */
export async function lockfileWrittenWithoutPlugin(registry: Registry, manifest: Record<string, unknown>, yarn = `default`, yarnrc: Record<string, unknown> = {}, files: Record<string, string> = {}): Promise<string> {
  const project = await projectWith({registry, manifest, plugin: false, yarn, yarnrc, files});
  const result = await project.run([`install`, `--mode=update-lockfile`]);
  if (result.code !== 0)
    throw new Error(`could not prepare the lockfile:\n${result.output}`);
  return (await project.lockfile())!;
}

/** A patch adding one line to the index.js the test registry puts in every package (`module.exports = {name, version}`). */
export function indexJsPatch(name: string, version: string, addedLine: string) {
  return [`diff --git a/index.js b/index.js`, `--- a/index.js`, `+++ b/index.js`, `@@ -1 +1,2 @@`, ` module.exports = ${JSON.stringify({name, version})};`, `+${addedLine}`, ``].join(`\n`);
}

export function tarballRequests(registry: Registry) {
  return registry.requests.filter(request => request.kind === `tarball`);
}

/** axios 1.14.0 is current; `compromise()` publishes 1.14.1 with plain-crypto-js (or other `dependencies`), `hoursAgo` hours ago, as in the attack. */
export async function beforeTheAttack({hoursAgo = 2}: {hoursAgo?: number} = {}) {
  const [axios, followRedirects, plainCrypto] = axiosReplay({compromisedHoursAgo: hoursAgo});
  const registry = await registryWith({packages: [{...axios, versions: {'1.14.0': axios.versions[`1.14.0`]}}, followRedirects]});
  const compromise = (dependencies = axios.versions[`1.14.1`].dependencies as Record<string, string>) => {
    registry.packages.addPackage(plainCrypto);
    registry.packages.addVersion(`axios`, `1.14.1`, {...axios.versions[`1.14.1`], dependencies});
  };
  return {registry, compromise};
}
