import {type Configuration, formatUtils, type Project} from '@yarnpkg/core';
import {type PortablePath, ppath} from '@yarnpkg/fslib';

import type {SettingSource} from '../policy/policy';
import {placeOf, rcFilesOf} from './projectPaths';

/**
 * Where a setting came from, worked out once for every place that tells it: the policy line and its warnings,
 * `check`'s header and its `--json` policy object, and the error of an invalid value.
 */
export function settingSource(project: Project, name: string): SettingSource {
  const recorded = project.configuration.sources.get(name);
  if (typeof recorded === `undefined`)
    return {setting: name, from: `default`, source: `default`, origins: [], described: [], partly: false};
  if (recorded.includes(`<environment>`)) {
    const variable = `YARN_${toEnvironmentName(name)}`;
    return {setting: name, from: `environment`, source: variable, origins: [variable], described: [variable], partly: false};
  }
  // Only the rc file at the project's root is the repository's policy: one in a workspace folder applies
  // silently to whoever runs a command there, and one above the project is not the repository's at all.
  const places = rcFilesOf(recorded);
  const origins = places.filter(place => !place.startsWith(`/`) || ppath.dirname(place as PortablePath) !== project.cwd);
  const described = origins.map(place => `${place}, ${PLACES[place.startsWith(`/`) ? placeOf(project, place as PortablePath) : `outside`]}`);
  const partly = origins.length > 0 && origins.length < places.length;
  return {setting: name, from: `files`, source: recorded, origins, described, partly};
}

const PLACES = {
  project: `in a folder below the project's root`,
  repository: `in the repository above the project`,
  outside: `outside the project`,
};

export function isSetOutsideProject(source: SettingSource): boolean {
  return source.origins.length > 0;
}

/** After the value in the policy line: ` (set by YARN_QUARANTINE_PERIOD)`, ` (partly set by /p/.yarnrc.yml, outside the project)`. */
export function policyLineOrigin(source: SettingSource): string {
  if (!isSetOutsideProject(source))
    return ``;
  if (source.from === `environment`)
    return ` (set by ${source.origins[0]})`;
  return ` (${source.partly ? `partly set` : `set`} by ${outsideFiles(source)})`;
}

/** The warning under the policy line, for a setting something outside the repository set. */
export function outsideWarning(source: SettingSource): string {
  if (source.from === `environment`)
    return `${source.setting} was set by an environment variable (${source.origins[0]}), not by .yarnrc.yml`;
  if (source.partly)
    return `${source.setting} has entries from ${outsideFiles(source)}, besides its own .yarnrc.yml`;
  return `${source.setting} was set by ${outsideFiles(source)}, not by its own .yarnrc.yml`;
}

/** `check`'s header line of a setting: `Policy: quarantinePeriod 3d (/p/.yarnrc.yml)`, and what outside the repository set it. */
export function checkHeaderLine(source: SettingSource, value: string | ReadonlyArray<string>): {line: string, outside: boolean} {
  const line = `Policy: ${source.setting} ${Array.isArray(value) ? `[${value.join(`, `)}]` : value} (${source.source})`;
  if (source.from === `environment`)
    return {line: `${line}: set by the environment, not by the repository`, outside: true};
  if (!isSetOutsideProject(source))
    return {line, outside: false};
  const how = source.partly ? `partly set by ${outsideFiles(source)}, besides` : `set by ${outsideFiles(source)}, not by`;
  return {line: `${line}: ${how} the repository's .yarnrc.yml`, outside: true};
}

/** A setting of `check --json`'s policy object. */
export function settingSourceToJson(source: SettingSource, value: string | Array<string>) {
  const {setting, origins, described, partly} = source;
  return {setting, value, source: source.source, fromEnvironment: source.from === `environment`, outsideProject: origins, described, partly};
}

/** After the setting's name in the error of an invalid value: where to fix it. */
export function invalidValueSource(configuration: Configuration, source: SettingSource): {where: string, fix: string} {
  return {
    where: source.from === `default` ? `` : ` (from ${source.source})`,
    // A value from the environment is fixed where the variable is set, not in .yarnrc.yml.
    fix: source.from === `environment`
      ? `Fix or unset ${formatUtils.pretty(configuration, source.source, formatUtils.Type.CODE)}`
      : `Fix the value in .yarnrc.yml`,
  };
}

function outsideFiles(source: SettingSource) {
  return source.described.join(`; `);
}

function toEnvironmentName(name: string) {
  return name.replace(/[A-Z]/g, letter => `_${letter}`).toUpperCase();
}
