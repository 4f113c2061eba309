import {Configuration, MessageName, type Project, ReportError, SettingsType, formatUtils} from '@yarnpkg/core';
import {type PortablePath, ppath} from '@yarnpkg/fslib';

import {parseDuration} from './policy/duration';
import {parsePattern, type Pattern} from './policy/pattern';
import type {InstallScriptsMode, LockfileMode, MissingPublishTimeMode, NewDependenciesMode, OutsideSetting, Policy} from './policy/policy';
import {placeOf, rcFilesOf} from './yarn/projectPaths';

declare module '@yarnpkg/core' {
  interface ConfigurationValueMap {
    quarantinePeriod: string;
    quarantineExemptPackages: Array<string>;
    quarantineLockfile: string;
    quarantineMissingPublishTime: string;
    quarantineNewDependencies: string;
    quarantineApprovedDependencies: Array<string>;
    quarantineInstallScripts: string;
    quarantineApprovedScripts: Array<string>;
  }
}

/** Declared as strings on purpose: `SettingsType.DURATION` and `values` differ across Yarn 4 releases. */
export const settings = {
  quarantinePeriod: {
    description: `npm versions published less than this long ago are quarantined (90m, 12h, 3d, 1w; a bare number is minutes; 0 turns the rule off)`,
    type: SettingsType.STRING as const,
    default: `3d`,
  },
  quarantineExemptPackages: {
    description: `Packages exempt from the release-age rule (names, globs, optionally @range)`,
    type: SettingsType.STRING as const,
    isArray: true as const,
    default: [],
  },
  quarantineLockfile: {
    description: `verify: locked versions are re-checked on every install; trust: only new resolutions are`,
    type: SettingsType.STRING as const,
    default: `verify`,
  },
  quarantineMissingPublishTime: {
    description: `reject or allow a version for which the registry reports no publish time`,
    type: SettingsType.STRING as const,
    default: `reject`,
  },
  quarantineNewDependencies: {
    description: `reject, warn or off: a package the project never had, brought in by an update of one it had`,
    type: SettingsType.STRING as const,
    default: `reject`,
  },
  quarantineApprovedDependencies: {
    description: `Packages that may enter the graph as new sub-dependencies (names, globs, optionally @range)`,
    type: SettingsType.STRING as const,
    isArray: true as const,
    default: [],
  },
  quarantineInstallScripts: {
    description: `reject, warn or off: an update that adds an install script, or changes one, that would run`,
    type: SettingsType.STRING as const,
    default: `reject`,
  },
  quarantineApprovedScripts: {
    description: `Versions whose install scripts are approved (pin a version: tinycolor@4.1.1)`,
    type: SettingsType.STRING as const,
    isArray: true as const,
    default: [],
  },
};

export type SettingName = keyof typeof settings;

/** Reads and validates the policy; any bad value stops the command naming the setting and the fix. */
export function readPolicy(project: Project): Policy {
  const {configuration} = project;
  const periodText = String(configuration.get(`quarantinePeriod`)).trim();
  const periodMs = parseDuration(periodText);
  if (periodMs === null)
    throw invalidSetting(configuration, `quarantinePeriod`, periodText, `a duration such as 90m, 12h, 3d or 1w (a bare number is minutes; 0 turns the rule off)`);

  return {
    periodMs,
    periodText,
    exemptPackages: readPatterns(configuration, `quarantineExemptPackages`),
    lockfile: readChoice<LockfileMode>(configuration, `quarantineLockfile`, [`verify`, `trust`]),
    missingPublishTime: readChoice<MissingPublishTimeMode>(configuration, `quarantineMissingPublishTime`, [`reject`, `allow`]),
    newDependencies: readChoice<NewDependenciesMode>(configuration, `quarantineNewDependencies`, [`reject`, `warn`, `off`]),
    approvedDependencies: readPatterns(configuration, `quarantineApprovedDependencies`),
    installScripts: readChoice<InstallScriptsMode>(configuration, `quarantineInstallScripts`, [`reject`, `warn`, `off`]),
    approvedScripts: readPatterns(configuration, `quarantineApprovedScripts`),
    setOutsideProject: (Object.keys(settings) as Array<SettingName>).map(name => settingOrigin(project, name)).filter(origin => origin.origins.length > 0),
  };
}

/** Where a setting's value came from as Yarn records it: `default`, the `YARN_*` variable, or the rc files (a merged list names each). */
export function describeSource(configuration: Configuration, name: SettingName): string {
  const source = configuration.sources.get(name);
  if (typeof source === `undefined`)
    return `default`;
  return source.includes(`<environment>`) ? `YARN_${toEnvironmentName(name)}` : source;
}

/** The places outside the repository that set a setting, wholly or (a list merged from several rc files) in part. */
export function settingOrigin(project: Project, name: SettingName): OutsideSetting & {source: string} {
  const recorded = project.configuration.sources.get(name);
  const source = describeSource(project.configuration, name);
  if (typeof recorded === `undefined`)
    return {setting: name, source, origins: [], described: [], environment: false, partly: false};
  if (recorded.includes(`<environment>`))
    return {setting: name, source, origins: [source], described: [source], environment: true, partly: false};
  // Only the rc file at the project's root is the repository's policy: one in a workspace folder applies
  // silently to whoever runs a command there, and one above the project is not the repository's at all.
  const places = rcFilesOf(recorded);
  const origins = places.filter(place => !place.startsWith(`/`) || ppath.dirname(place as PortablePath) !== project.cwd);
  const described = origins.map(place => {
    const where = place.startsWith(`/`) ? placeOf(project, place as PortablePath) : `outside`;
    return `${place}, ${where === `project` ? `in a folder below the project's root` : where === `repository` ? `in the repository above the project` : `outside the project`}`;
  });
  return {setting: name, source, origins, described, environment: false, partly: origins.length > 0 && origins.length < places.length};
}

function readPatterns(configuration: Configuration, name: `quarantineExemptPackages` | `quarantineApprovedDependencies` | `quarantineApprovedScripts`): Array<Pattern> {
  return configuration.get(name).map(entry => {
    const pattern = parsePattern(String(entry));
    if (pattern === null)
      throw invalidSetting(configuration, name, String(entry), `a package name or glob, optionally followed by @ and a semver range (lodash, @acme/*, axios@1.14.0)`);
    return pattern;
  });
}

function readChoice<T extends string>(configuration: Configuration, name: SettingName, choices: ReadonlyArray<T>): T {
  const value = String(configuration.get(name)).trim();
  if (!(choices as ReadonlyArray<string>).includes(value))
    throw invalidSetting(configuration, name, value, `one of ${choices.join(`, `)}`);
  return value as T;
}

function invalidSetting(configuration: Configuration, name: SettingName, value: string, expected: string) {
  const where = typeof configuration.sources.get(name) === `undefined` ? `` : ` (from ${describeSource(configuration, name)})`;
  return new ReportError(MessageName.INVALID_CONFIGURATION_VALUE, `${formatUtils.pretty(configuration, name, formatUtils.Type.SETTING)}${where}: invalid value ${formatUtils.pretty(configuration, JSON.stringify(value), formatUtils.Type.CODE)}; expected ${expected}. ${fixOfInvalid(configuration, name)}; nothing was resolved or written.`);
}

/** A value from the environment is fixed where the variable is set, not in .yarnrc.yml. */
function fixOfInvalid(configuration: Configuration, name: SettingName) {
  return configuration.sources.get(name)?.includes(`<environment>`)
    ? `Fix or unset ${formatUtils.pretty(configuration, `YARN_${toEnvironmentName(name)}`, formatUtils.Type.CODE)}`
    : `Fix the value in .yarnrc.yml`;
}

export function toEnvironmentName(name: string) {
  return name.replace(/[A-Z]/g, letter => `_${letter}`).toUpperCase();
}
