import semver from 'semver';

import {findMatchingPattern} from '../policy/pattern';
import type {Policy} from '../policy/policy';
import {makeFinding, type Finding, type ScriptChange} from './finding';
import {INSTALL_SCRIPT_NAMES, type InstallScripts, type InstallScriptsFact} from './installScript';

/**
 * Whether Yarn would build the version in this project, and if not, which setting says so. `offHereBy`
 * names a setting from outside the repository that turns scripts off on this machine only: the
 * lockfile goes to every machine, so it does not count.
 */
export type ScriptsRun = {runs: true, offHereBy?: string} | {runs: false, because: `enableScripts` | `built`};

/** A version that replaced the baseline's versions of its name, with what each says it runs at install. */
export type ScriptUpdate = {
  name: string;
  version: string;
  scripts: InstallScriptsFact;
  /** Every version of the name in the baseline lockfile, with its install scripts. */
  baseline: ReadonlyArray<{version: string, scripts: InstallScriptsFact}>;
  run: ScriptsRun;
  locked: boolean;
};

/**
 * An update whose install scripts differ from those of every baseline version of its name (a script
 * added, or its command changed) is a finding where Yarn would run them, an info line where it would
 * not. A removed script is no finding. A version whose scripts the registry leaves out is one: the
 * rule fails closed, as for a missing publish time. What the baseline's versions ran cannot be
 * learnt for a version the registry no longer lists: every script of the update then counts as added.
 */
export function checkInstallScripts(updates: ReadonlyArray<ScriptUpdate>, policy: Policy): Array<Finding> {
  return toJudge(updates, policy).flatMap(update => {
    const previous = newestOf(update.baseline);
    const common = {
      rule: `install-scripts` as const,
      name: update.name,
      version: update.version,
      locked: update.locked,
      previousVersion: previous?.version ?? null,
      scriptsRun: update.run.runs,
      detail: update.run.runs ? update.run.offHereBy ?? null : update.run.because,
    };

    switch (update.scripts.kind) {
      // Scripts that could not be learnt and would not run put nothing at risk; the reason is the release-age rule's too.
      case `unknown`:
        return update.run.runs ? [makeFinding({...common, kind: `install-scripts-unknown`, severity: severityOf(update.run, policy), detail: update.scripts.reason})] : [];
      case `omitted`:
        return [makeFinding({...common, kind: `install-scripts-omitted`, severity: severityOf(update.run, policy)})];
      case `known`: {
        const {scripts} = update.scripts;
        const changes: Array<ScriptChange> = INSTALL_SCRIPT_NAMES.flatMap(script => {
          const command = scripts[script];
          if (typeof command === `undefined` || update.baseline.some(before => before.scripts.kind === `known` && isSameCommand(before.scripts.scripts[script], before.version, command, update.version)))
            return [];
          return [{script, command, previous: previous?.scripts.kind === `known` ? previous.scripts.scripts[script] ?? null : null}];
        });
        if (changes.length === 0)
          return [];
        const unreadable = update.baseline.filter(before => before.scripts.kind !== `known`).map(before => before.version);
        return [makeFinding({...common, kind: `install-script-changed`, severity: severityOf(update.run, policy), scripts: changes, unreadableBaseline: unreadable})];
      }
    }
  });
}

/**
 * Some packages name their own version in a script (`napi-postinstall unrs-resolver 1.11.1 check`):
 * a command that differs only by that is the same script, or every update of them would be a finding.
 */
function isSameCommand(before: string | undefined, beforeVersion: string, after: string, afterVersion: string) {
  if (typeof before === `undefined`)
    return false;
  return before === after || (semver.valid(beforeVersion) !== null && before.split(beforeVersion).join(afterVersion) === after);
}

/** Nothing under `off`; an approved version is not judged. */
function toJudge<T extends {name: string, version: string}>(updates: ReadonlyArray<T>, policy: Policy): ReadonlyArray<T> {
  if (policy.installScripts === `off`)
    return [];
  return updates.filter(update => findMatchingPattern(policy.approvedScripts, update.name, update.version) === null);
}

function severityOf(run: ScriptsRun, policy: Policy) {
  if (!run.runs)
    return `info` as const;
  return policy.installScripts === `warn` ? `warning` as const : `error` as const;
}

/** The baseline version an update is shown against: the newest one, as `yarn up` moves from it. */
function newestOf<T extends {version: string}>(versions: ReadonlyArray<T>): T | null {
  const valid = versions.filter(entry => semver.valid(entry.version) !== null);
  if (valid.length === 0)
    return versions[0] ?? null;
  return valid.reduce((newest, entry) => semver.gt(entry.version, newest.version) ? entry : newest);
}

/**
 * What a fetched archive runs at install, as Yarn's link step reads it: the scripts of its
 * package.json (every string, empty ones too), and whether it holds a binding.gyp.
 */
export type ArchivedScriptsFact = {kind: `read`, scripts: InstallScripts, bindingGyp: boolean} | {kind: `unreadable`, reason: string};

/** An update judged from the registry's document, once its archive was fetched. */
export type FetchedUpdate = {name: string, version: string, path: ReadonlyArray<string>, file: string, registry: InstallScripts, archive: ArchivedScriptsFact};

/** npm strips this from the scripts of the document it publishes (`node_modules/.bin/tsc` becomes `tsc`), never from the tarball. */
const BIN_FOLDER_PREFIX = /^(\.[/\\])?node_modules[/\\]\.bin[/\\]/;

/**
 * The registry's document and the tarball are published separately, and Yarn runs what the archive
 * says. An install script in the fetched archive that the document did not list, or with another
 * command, is a finding: Yarn would run what the install-script rule never saw. A `binding.gyp`
 * without an `install` script is Yarn's `node-gyp rebuild` (npm leaves it out of the document when
 * there is a `preinstall` or `gypfile: false`). A script the archive lacks is no finding; an archive
 * that cannot be read is one (the rule fails closed).
 */
export function checkFetchedScripts(updates: ReadonlyArray<FetchedUpdate>, policy: Policy): Array<Finding> {
  return toJudge(updates, policy).flatMap(update => {
    const common = {
      rule: `install-scripts` as const,
      kind: `install-scripts-not-in-registry` as const,
      severity: policy.installScripts === `warn` ? `warning` as const : `error` as const,
      name: update.name,
      version: update.version,
      path: update.path,
      file: update.file,
      scriptsRun: true,
    };
    if (update.archive.kind === `unreadable`)
      return [makeFinding({...common, detail: update.archive.reason})];

    const {scripts, bindingGyp} = update.archive;
    const implicitBuild = bindingGyp && !Object.hasOwn(scripts, `install`);
    const runs: InstallScripts = implicitBuild ? {...scripts, install: `node-gyp rebuild`} : scripts;
    const changes: Array<ScriptChange> = INSTALL_SCRIPT_NAMES.flatMap(script => {
      const command = runs[script];
      if (typeof command === `undefined` || command.trim() === `` || isPublishedAs(command, update.registry[script]))
        return [];
      return [{script, command, previous: update.registry[script] ?? null}];
    });
    if (changes.length === 0)
      return [];
    return [makeFinding({...common, scripts: changes, found: implicitBuild && changes.some(change => change.script === `install`) ? `binding.gyp` : null})];
  });
}

/** Whether the document's command is the archive's as npm publishes it. */
function isPublishedAs(archived: string, documented: string | undefined) {
  return typeof documented !== `undefined` && archived.replace(BIN_FOLDER_PREFIX, ``) === documented.replace(BIN_FOLDER_PREFIX, ``);
}
