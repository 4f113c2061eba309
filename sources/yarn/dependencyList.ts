import {type Configuration, type Descriptor, type IdentHash, Manifest, structUtils} from '@yarnpkg/core';
import {createHash} from 'crypto';

import type {ManifestDependencies} from '../registry/packument';

const NODE_GYP = structUtils.makeIdent(null, `node-gyp`);
/** Yarn's npm resolver adds `node-gyp@latest` to a package whose scripts use it without declaring it. */
const USES_NODE_GYP = /\b(node-gyp|prebuild-install)\b/;

/**
 * A package's regular and optional dependencies as Yarn records them, ranges normalized as Yarn
 * normalizes them: the form in which a locked entry's list and the registry manifest's are compared.
 */
export function normalizedDependencies(configuration: Configuration, dependencies: Map<IdentHash, Descriptor>): Array<Descriptor> {
  return [...configuration.normalizeDependencyMap(dependencies).values()];
}

/**
 * The same list read from a registry manifest, as Yarn's npm resolver builds it: Yarn's own manifest
 * loader (which folds optional dependencies in), and the `node-gyp` it adds for scripts that use it.
 */
export function registryDependencies(configuration: Configuration, fields: ManifestDependencies): Array<Descriptor> {
  const manifest = new Manifest();
  manifest.load(fields);
  const usesNodeGyp = [...manifest.scripts.values()].some(script => USES_NODE_GYP.test(script));
  if (usesNodeGyp && !manifest.dependencies.has(NODE_GYP.identHash) && !manifest.peerDependencies.has(NODE_GYP.identHash))
    manifest.dependencies.set(NODE_GYP.identHash, structUtils.makeDescriptor(NODE_GYP, `latest`));
  return normalizedDependencies(configuration, manifest.dependencies);
}

/** Order-free and cheap: Yarn has already hashed each descriptor. */
export function digestOf(descriptors: ReadonlyArray<Descriptor>) {
  return createHash(`sha1`).update(descriptors.map(descriptor => descriptor.descriptorHash).sort().join(`,`)).digest(`hex`).slice(0, 16);
}

export function describeDependencies(descriptors: ReadonlyArray<Descriptor>) {
  return descriptors.map(descriptor => structUtils.stringifyDescriptor(descriptor)).sort();
}
