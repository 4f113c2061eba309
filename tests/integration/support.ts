import {mkdtemp, readdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach} from 'vitest';

import {MARKER_FILE} from '../../scripts/lib/axios-replay.mjs';
import {startRegistry, type Registry, type RegistryOptions} from '../../scripts/lib/registry.mjs';
import {createProject, type Project, type ProjectOptions} from '../../scripts/lib/yarn-project.mjs';

/** Yarn 4.15+ ships its own 1-day gate; tests of this plugin's rule turn it off unless they test both. */
export const WITHOUT_YARN_GATE = {npmMinimalAgeGate: `0`};

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
  const project = await createProject({...options, yarnrc: {...WITHOUT_YARN_GATE, ...options.yarnrc}});
  const markerDir = await mkdtemp(join(tmpdir(), `quarantine-marker-`));
  cleanups.push(() => project.dispose(), () => rm(markerDir, {recursive: true, force: true}));
  return Object.assign(project, {
    markerDir,
    install: (args: Array<string> = [`install`], env: Record<string, string> = {}) => project.run(args, {env: {MARKER_DIR: markerDir, ...env}}),
    scriptRan: async () => (await readdir(markerDir)).includes(MARKER_FILE),
  });
}

/** The lockfile a machine without the plugin would have written for `manifest`. */
export async function lockfileWrittenWithoutPlugin(registry: Registry, manifest: Record<string, unknown>): Promise<string> {
  const project = await projectWith({registry, manifest, plugin: false});
  const result = await project.run([`install`, `--mode=update-lockfile`]);
  if (result.code !== 0)
    throw new Error(`could not prepare the lockfile:\n${result.output}`);
  return (await project.lockfile())!;
}

export function tarballRequests(registry: Registry) {
  return registry.requests.filter(request => request.kind === `tarball`);
}
