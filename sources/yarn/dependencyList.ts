import {type Configuration, type Descriptor, type IdentHash, Manifest, structUtils} from '@yarnpkg/core';
import {createHash} from 'crypto';

/**
 * A package's regular and optional dependencies as Yarn records them, ranges normalized as Yarn
 * normalizes them: the form in which a locked entry's list and the registry manifest's are compared.
 */
export function normalizedDependencies(configuration: Configuration, dependencies: Map<IdentHash, Descriptor>): Array<Descriptor> {
  return [...configuration.normalizeDependencyMap(dependencies).values()];
}

/** The same list read from a registry manifest, through Yarn's own manifest loader (which folds optional dependencies in). */
export function registryDependencies(configuration: Configuration, fields: {dependencies: Record<string, string>, optionalDependencies: Record<string, string>}): Array<Descriptor> {
  const manifest = new Manifest();
  manifest.load(fields);
  return normalizedDependencies(configuration, manifest.dependencies);
}

/** Order-free and cheap: Yarn has already hashed each descriptor. */
export function digestOf(descriptors: ReadonlyArray<Descriptor>) {
  return createHash(`sha1`).update(descriptors.map(descriptor => descriptor.descriptorHash).sort().join(`,`)).digest(`hex`).slice(0, 16);
}

export function describeDependencies(descriptors: ReadonlyArray<Descriptor>) {
  return descriptors.map(descriptor => structUtils.stringifyDescriptor(descriptor)).sort();
}
