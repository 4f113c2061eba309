import {type ConfigurationValueMap, formatUtils, type Project} from '@yarnpkg/core';

/**
 * Settings Yarn (4.14 and later) turns on for this install, and writes into `.yarnrc.yml`, because
 * yarn.lock says an older Yarn wrote it: every git repository approved, install scripts enabled,
 * its own age gate off. A lockfile is no policy; the repository has to adopt them itself.
 */
export const MIGRATED_BY_LOCKFILE = [`approvedGitRepositories`, `enableScripts`, `npmMinimalAgeGate`];

export function settingsMigratedByLockfile(project: Project) {
  return MIGRATED_BY_LOCKFILE.filter(name => project.configuration.sources.get(name) === `<compat>`);
}

/** `formatVersion`: the lockfile's `__metadata.version`, null for a Yarn 1 lockfile. */
export function describeMigration(project: Project, settings: ReadonlyArray<string>, formatVersion: number | null) {
  const {configuration} = project;
  const format = formatVersion !== null ? `lockfile version ${formatVersion}` : `a Yarn 1 lockfile`;
  const values = settings.map(name => `${formatUtils.pretty(configuration, name as keyof ConfigurationValueMap, formatUtils.Type.SETTING)} ${JSON.stringify(configuration.values.get(name))}`).join(`, `);
  return `Quarantine: yarn.lock says an older Yarn wrote it (${format}), so Yarn set ${values} for this install and wrote ${settings.length === 1 ? `it` : `them`} into .yarnrc.yml; a lockfile, which a pull request can edit, must not weaken the project's settings, so nothing was resolved. Fix: if this project really comes from an older Yarn, review what Yarn added to .yarnrc.yml, keep or change it, and run the install again; if a pull request rewrote yarn.lock in an older format, restore it from the base branch`;
}
