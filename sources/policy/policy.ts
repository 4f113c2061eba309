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
  setOutsideProject: ReadonlyArray<SettingSource>;
};

/**
 * Where a setting's value came from: its default, a `YARN_*` environment variable, or rc files. Yarn reads
 * a `.yarnrc.yml` above the project, in the home folder and in a folder below the project's root as well
 * as the repository's own: those others, and the variable, are the setting's origins outside the project.
 */
export type SettingSource = {
  setting: string;
  from: `default` | `environment` | `files`;
  /** As Yarn records it: `default`, the variable's name, or the rc files (a merged list names each). */
  source: string;
  /** The variable's name, or the rc files other than the project's root one. */
  origins: ReadonlyArray<string>;
  /** Each origin with where it lies: `/p/.yarnrc.yml, outside the project`. */
  described: ReadonlyArray<string>;
  /** A list that the project's own files add entries to as well (Yarn merges a list from every file that sets it). */
  partly: boolean;
};
