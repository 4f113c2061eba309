import {MessageName, type Project, ReportError, SettingsType, formatUtils} from '@yarnpkg/core';

import {parseDuration} from './policy/duration';
import {isExpired, MOMENT_FORMS, parseListEntry} from './policy/listEntry';
import type {Pattern} from './policy/pattern';
import type {InstallScriptsMode, ListSetting, LockfileMode, MissingPublishTimeMode, NewDependenciesMode, Policy, PolicyListEntry, TrustPolicyMode} from './policy/policy';
import {invalidValueSource, isSetOutsideProject, settingSource} from './yarn/settingSource';

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
    quarantineTrustPolicy: string;
    quarantineTrustExemptPackages: Array<string>;
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
  quarantineTrustPolicy: {
    description: `no-downgrade, warn or off: a version published with less trust evidence (trusted publisher, provenance) than earlier versions of its release line had`,
    type: SettingsType.STRING as const,
    default: `no-downgrade`,
  },
  quarantineTrustExemptPackages: {
    description: `Versions exempt from the trust-downgrade rule (pin a version: axios@1.14.1)`,
    type: SettingsType.STRING as const,
    isArray: true as const,
    default: [],
  },
};

export type SettingName = keyof typeof settings;

/**
 * Reads and validates the policy; any bad value stops the command naming the setting and the fix.
 * `now` decides which list entries have expired: the same moment every rule of the command measures against.
 */
export function readPolicy(project: Project, now: Date): Policy {
  const periodText = String(project.configuration.get(`quarantinePeriod`)).trim();
  const periodMs = parseDuration(periodText);
  if (periodMs === null)
    throw invalidSetting(project, `quarantinePeriod`, periodText,
      `a duration such as 90m, 12h, 3d or 1w (a bare number is minutes; 0 turns the rule off)`);

  const lists = {
    quarantineExemptPackages: readList(project, `quarantineExemptPackages`, now),
    quarantineApprovedDependencies: readList(project, `quarantineApprovedDependencies`, now),
    quarantineApprovedScripts: readList(project, `quarantineApprovedScripts`, now),
    quarantineTrustExemptPackages: readList(project, `quarantineTrustExemptPackages`, now),
  };
  const entries = Object.values(lists).flatMap(list => list.entries);

  return {
    periodMs,
    periodText,
    exemptPackages: lists.quarantineExemptPackages.live,
    lockfile: readChoice<LockfileMode>(project, `quarantineLockfile`, [`verify`, `trust`]),
    missingPublishTime: readChoice<MissingPublishTimeMode>(project, `quarantineMissingPublishTime`, [`reject`, `allow`]),
    newDependencies: readChoice<NewDependenciesMode>(project, `quarantineNewDependencies`, [`reject`, `warn`, `off`]),
    approvedDependencies: lists.quarantineApprovedDependencies.live,
    installScripts: readChoice<InstallScriptsMode>(project, `quarantineInstallScripts`, [`reject`, `warn`, `off`]),
    approvedScripts: lists.quarantineApprovedScripts.live,
    trustPolicy: readChoice<TrustPolicyMode>(project, `quarantineTrustPolicy`, [`no-downgrade`, `warn`, `off`]),
    trustExemptPackages: lists.quarantineTrustExemptPackages.live,
    expiredEntries: entries.filter(entry => isExpired(entry, now)),
    expiringEntries: entries.filter(entry => entry.expiresAt !== null && !isExpired(entry, now)),
    setOutsideProject: settingNames().map(name => settingSource(project, name)).filter(isSetOutsideProject),
  };
}

export function settingNames(): Array<SettingName> {
  return Object.keys(settings) as Array<SettingName>;
}

/** A list's entries, and the patterns of those that still count. */
function readList(project: Project, setting: ListSetting, now: Date): {entries: Array<PolicyListEntry>, live: Array<Pattern>} {
  const entries = project.configuration.get(setting).map(value => {
    const entry = parseListEntry(String(value));
    if (`malformed` in entry)
      throw invalidSetting(project, setting, String(value), entry.malformed === `pattern`
        ? `a package name or glob, optionally followed by @ and a semver range (lodash, @acme/*, axios@1.14.0), and optionally by "until" and when the entry expires (axios@1.14.0 until 2026-12-08 12:00 UTC)`
        : `after "until", ${MOMENT_FORMS}`);
    return {...entry, setting};
  });
  return {entries, live: entries.filter(entry => !isExpired(entry, now)).map(entry => entry.pattern)};
}

function readChoice<T extends string>(project: Project, name: SettingName, choices: ReadonlyArray<T>): T {
  const value = String(project.configuration.get(name)).trim();
  if (!(choices as ReadonlyArray<string>).includes(value))
    throw invalidSetting(project, name, value, `one of ${choices.join(`, `)}`);
  return value as T;
}

function invalidSetting(project: Project, name: SettingName, value: string, expected: string) {
  const {configuration} = project;
  const {where, fix} = invalidValueSource(configuration, settingSource(project, name));
  const setting = formatUtils.pretty(configuration, name, formatUtils.Type.SETTING);
  const shown = formatUtils.pretty(configuration, JSON.stringify(value), formatUtils.Type.CODE);
  return new ReportError(MessageName.INVALID_CONFIGURATION_VALUE,
    `${setting}${where}: invalid value ${shown}; expected ${expected}. ${fix}; nothing was resolved or written.`);
}
