import {type Configuration, formatUtils, structUtils} from '@yarnpkg/core';

import type {Finding} from '../../rules/finding';
import {fix} from './fix';
import type {KindMessages} from './kindMessage';
import type {Phrases} from './phrases';
import {printable} from './printable';

export const installScriptMessages = {
  [`install-script-changed`]: {
    one: `install script added or changed`,
    many: `install scripts added or changed`,
    line: (finding, say) => `${say.subject}${say.locked}: ${describeScriptUpdate(say, finding)}; ${describeScriptsRun(say, finding)}${say.via}`
      + (finding.scriptsRun ? scriptsFix(say, finding, `if you trust the script`) : ``),
  },
  [`install-scripts-omitted`]: {
    one: `install scripts not described`,
    many: `install scripts not described`,
    line: (finding, say) => `${say.subject}${say.locked}: the registry says this version has install scripts but leaves out which, `
      + `so the install-script rule cannot compare them with ${finding.previousVersion ?? `the baseline`}'s and fails closed; `
      + `${describeScriptsRun(say, finding)}${say.via}`
      + (finding.scriptsRun ? scriptsFix(say, finding, `read the scripts in its package.json; if you trust them`) : ``),
  },
  [`install-scripts-unknown`]: {
    one: `install scripts not learnt`,
    many: `install scripts not learnt`,
    line: (finding, say) => `${say.subject}${say.locked}: could not learn its install scripts (${finding.detail}), `
      + `so the install-script rule fails closed; Yarn would run them during the link step${say.via}`
      + fix(`retry when the registry answers`, `${approveIfTrusted(say, finding, `if you trust this version's scripts`)}`),
  },
  [`install-scripts-not-in-registry`]: {
    one: `install script not in the registry's document`,
    many: `install scripts not in the registry's document`,
    line: (finding, say) => `${say.subject}: ${describeArchivedScripts(say, finding)}; ${describeFetchedOutcome(say, finding)}${say.via}`
      + scriptsFix(say, finding, finding.scripts === null ? `read the scripts in its package.json; if you trust them` : `if you trust the script`),
  },
} satisfies KindMessages;

/** What the fetched archive runs that the registry's document did not say, or why the archive could not be read. */
function describeArchivedScripts(say: Phrases, finding: Finding) {
  if (finding.scripts === null)
    return `its archive cannot be read (${finding.detail}), so the install-script rule cannot hold the scripts Yarn would run to the registry's document, and fails closed`;
  const differences = finding.scripts.map(({script, command, previous}) => {
    if (script === `install` && finding.found === `binding.gyp`)
      return `holds a binding.gyp and no install script, so Yarn would run ${say.code(command)}`;
    return previous === null
      ? `lists ${describeScript(say, script, command)} in its package.json`
      : `lists the ${script} script ${say.code(printable(command))} in its package.json where the document has ${say.code(printable(previous))}`;
  });
  return `its archive ${differences.join(` and `)}, unlike the registry's document of ${finding.version} that the install-script rule judged before the fetch; Yarn runs the archive's scripts`;
}

function describeFetchedOutcome(say: Phrases, finding: Finding) {
  const where = say.path(finding.file ?? `the cache`);
  return finding.severity === `error`
    ? `the archive was fetched into the cache (${where}), but nothing was linked or run`
    : `Yarn will run ${finding.scripts?.length === 1 ? `it` : `them`} during the link step (the archive is ${where})`;
}

/** `adds a preinstall script (node setup_bun.js)`, `an install script`: scripts are named with their article. */
export function describeScript(say: Phrases, script: string, command: string) {
  return `${script === `install` ? `an` : `a`} ${script} script (${say.code(printable(command))})`;
}

/** `1.14.0 -> 1.14.1 adds a postinstall script (node setup.js)`, or `changes its install script from a to b`. */
function describeScriptUpdate(say: Phrases, finding: Finding) {
  const changes = (finding.scripts ?? []).map(({script, command, previous}) => previous === null
    ? `adds ${describeScript(say, script, command)}`
    : `changes its ${script} script from ${say.code(printable(previous))} to ${say.code(printable(command))}`);
  const unreadable = finding.unreadableBaseline;
  const notCompared = unreadable.length === 0
    ? ``
    : ` (the registry no longer describes ${unreadable.join(`, `)}, so nothing could be compared with ${unreadable.length === 1 ? `it` : `them`})`;
  return `${finding.previousVersion ?? `?`} -> ${finding.version} ${changes.join(` and `)}${notCompared}`;
}

/** Where Yarn would run the scripts, or which setting keeps them from running. */
function describeScriptsRun(say: Phrases, finding: Finding) {
  if (!finding.scriptsRun) {
    return finding.detail === `built`
      ? `they will not run here: ${say.code(`dependenciesMeta`)} sets ${say.code(`built: false`)} for it`
      : `they will not run here: ${say.code(`enableScripts`)} is false`;
  }
  const pronoun = finding.kind === `install-scripts-omitted` || (finding.scripts?.length ?? 0) > 1 ? `them` : `it`;
  const run = `Yarn would run ${pronoun} during the link step`;
  // The lockfile goes to machines without this machine's own setting.
  return finding.detail === null
    ? run
    : `${run} wherever scripts are on (${say.code(`enableScripts`)} is false here by ${finding.detail}, not by the project's .yarnrc.yml)`;
}

function approveIfTrusted(say: Phrases, finding: Finding, approveIf: string) {
  return `${approveIf}, run ${say.code(`yarn quarantine approve --scripts ${finding.name}@${finding.version}`)}, `
    + `which adds this version to ${say.setting(`quarantineApprovedScripts`)}`;
}

function scriptsFix(say: Phrases, finding: Finding, approveIf: string) {
  // `yarn up name@version` only takes a dependency a workspace declares: a deeper one stays where yarn.lock had it.
  const direct = finding.path.length === 2;
  const stay = finding.previousVersion === null
    ? ``
    : direct
      ? `stay on ${finding.previousVersion} (${say.code(`yarn up ${finding.name}@${finding.previousVersion}`)}), or `
      : `keep yarn.lock's ${finding.previousVersion}, or `;
  const keepFromRunning = say.code(`"dependenciesMeta": {"${finding.name}@${finding.version}": {"built": false}}`);
  return fix(`${approveIfTrusted(say, finding, approveIf)}; otherwise ${stay}keep it from running with ${keepFromRunning} in package.json`);
}

/** One line for every update whose scripts will not run: on Yarn 4.14+ that is every update with scripts. */
export function formatScriptsNotRun(configuration: Configuration, findings: ReadonlyArray<Finding>) {
  const updates = findings.map(finding => {
    const scripts = finding.kind === `install-scripts-omitted` ? `scripts not described` : (finding.scripts ?? []).map(change => change.script).join(`, `);
    const name = structUtils.prettyIdent(configuration, structUtils.parseIdent(finding.name));
    return `${name} ${finding.previousVersion ?? `?`} -> ${finding.version} (${scripts}${finding.detail === `built` ? `; built: false` : ``})`;
  });
  const reasons = new Set(findings.map(finding => finding.detail));
  const why = reasons.size === 1 && reasons.has(`enableScripts`) ? ` (${formatUtils.pretty(configuration, `enableScripts`, formatUtils.Type.CODE)} is false)` : ``;
  return `${findings.length} updates add or change install scripts that will not run here${why}: ${updates.join(`, `)}`;
}
