import type {Pattern} from './pattern';

export type LockfileMode = `verify` | `trust`;
export type MissingPublishTimeMode = `reject` | `allow`;
export type NewDependenciesMode = `reject` | `warn` | `off`;

export type Policy = {
  /** 0 turns the release-age rule off. */
  periodMs: number;
  periodText: string;
  exemptPackages: ReadonlyArray<Pattern>;
  lockfile: LockfileMode;
  missingPublishTime: MissingPublishTimeMode;
  newDependencies: NewDependenciesMode;
  approvedDependencies: ReadonlyArray<Pattern>;
  /** Settings whose value came from a `YARN_*` environment variable, which reviewers must see. */
  setByEnvironment: ReadonlyArray<string>;
};
