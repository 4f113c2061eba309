import type {Pattern} from './pattern';

export type LockfileMode = `verify` | `trust`;
export type MissingPublishTimeMode = `reject` | `allow`;
export type NewDependenciesMode = `reject` | `warn` | `off`;
export type InstallScriptsMode = `reject` | `warn` | `off`;

export type Policy = {
  /** 0 turns the release-age rule off. */
  periodMs: number;
  periodText: string;
  exemptPackages: ReadonlyArray<Pattern>;
  lockfile: LockfileMode;
  missingPublishTime: MissingPublishTimeMode;
  newDependencies: NewDependenciesMode;
  approvedDependencies: ReadonlyArray<Pattern>;
  installScripts: InstallScriptsMode;
  /** Versions whose install scripts are approved: `approve --scripts` pins each to its version. */
  approvedScripts: ReadonlyArray<Pattern>;
  /** Settings that something outside the repository set, wholly or in part, which reviewers must see. */
  setOutsideProject: ReadonlyArray<OutsideSetting>;
};

/**
 * A setting whose value came from a `YARN_*` environment variable, or from a `.yarnrc.yml` above the
 * project, in the home folder or in a folder below the project's root (Yarn reads them all), rather
 * than from the repository's own `.yarnrc.yml`.
 */
export type OutsideSetting = {
  setting: string;
  /** The variable's name, or the rc files other than the project's root one. */
  origins: ReadonlyArray<string>;
  /** Each origin with where it lies: `/p/.yarnrc.yml, outside the project`. */
  described: ReadonlyArray<string>;
  environment: boolean;
  /** A list that the project's own files add entries to as well (Yarn merges a list from every file that sets it). */
  partly: boolean;
};
