/** How findings name a source that is not a registry. */
export type SourceLabel = `git` | `a tarball URL` | `file:` | `exec:` | `link:` | `portal:` | `a patch` | `an unknown protocol`;

export type RegistryProtocol = `npm:` | `jsr:`;

/** What a dependency range asks for, seen through `npm:` aliases and `patch:` wrappers. */
export type DeclaredSource =
  | {kind: `registry`, protocol: RegistryProtocol, /** The package the range names: an alias's target. */ name: string, /** A semver range or a dist-tag. */ selector: string, patch?: string}
  | {kind: `workspace`}
  | {kind: `other`, label: SourceLabel, /** The range without Yarn's bindings. */ source: string, git: GitSource | null, patch?: string};

/** Where a resolved package's bytes come from, seen through `patch:` wrappers and virtual instances. */
export type ResolvedSource =
  | {kind: `registry`, protocol: RegistryProtocol, name: string, version: string, /** Yarn's `__archiveUrl` binding: the registry's tarball was not at the conventional URL. */ archiveUrl: string | null, patch?: string}
  | {kind: `workspace`}
  | {kind: `other`, label: SourceLabel, /** The reference without Yarn's bindings. */ reference: string, git: GitSource | null, patch?: string};

/*
 * `patch`: the patch files a `patch:` range or reference applies (`./fix.patch`, `~/.yarn/patches/...`),
 * when they are not Yarn's own built-in ones: files of the project, or of whichever package Yarn binds
 * the range to, that change the package's code.
 */

/** A git repository as Yarn normalizes it, and the commit when the range pins one. */
export type GitSource = {repository: string, commit: string | null};

/** A range or reference without Yarn's bookkeeping after it (`::__archiveUrl=...`, `::locator=...`). */
export function withoutBindings(range: string) {
  const at = range.indexOf(`::`);
  return at === -1 ? range : range.slice(0, at);
}
