import {BaseCommand} from '@yarnpkg/cli';
import {Configuration, formatUtils, MessageName, StreamReport, structUtils} from '@yarnpkg/core';
import {Command, Option, type Usage} from 'clipanion';

import {ageFields, formatAge, formatDuration, formatUtc} from '../policy/duration';
import {pendingVersions, type PendingVersion, summarizePending} from '../rules/pending';
import {lookUpNewerVersions} from '../yarn/explanation';
import {walkProject} from '../yarn/graph';
import {openLockedProject} from '../yarn/lockfileProject';
import {printable} from '../yarn/messages';
import {prettyRegistryVersion} from '../yarn/messages/phrases';

export default class QuarantinePendingCommand extends BaseCommand {
  static paths = [[`quarantine`, `pending`]];

  static usage: Usage = Command.Usage({
    category: `Quarantine-related commands`,
    description: `list the newer versions the quarantine policy holds back, and when each becomes eligible`,
    details: `
      Project-wide: for every npm package in \`yarn.lock\` reached through a semver range, each newer version within that range that the release-age rule holds back (published less than \`quarantinePeriod\` ago and not exempt), with the range it satisfies, the locked version it would replace, its publish time and the UTC time at which it becomes eligible, soonest first. That is what the next \`yarn up\` will bring, and when; a version exempt by \`quarantineExemptPackages\` is not pending.

      The graph is built from \`yarn.lock\` alone, as \`yarn quarantine check\` builds it, and judged by the same rule with the same registry lookups. Only packages whose declared ranges accept a version newer than the locked one are looked up (an exact pin accepts none), concurrently.

      Exit codes: \`0\` when the list was made, whether or not something is pending; \`2\` when the project could not be evaluated (a bad setting, no lockfile, a lockfile that does not match the manifests, a package whose versions the registry did not give).
    `,
    examples: [[
      `List what the policy holds back, and until when`,
      `$0 quarantine pending`,
    ], [
      `Get one JSON object per pending version, then a summary`,
      `$0 quarantine pending --json`,
    ]],
  });

  json = Option.Boolean(`--json`, false, {description: `Format the output as an NDJSON stream`});

  async execute() {
    const configuration = await Configuration.find(this.context.cwd, this.context.plugins);

    const report = await StreamReport.start({configuration, json: this.json, stdout: this.context.stdout, includeFooter: false}, async report => {
      const {project, session, lockedBefore} = await openLockedProject(configuration, this.context.cwd);
      const {policy} = session;
      const period = policy.periodMs === 0 ? null : formatDuration(policy.periodMs);
      const number = (value: number) => formatUtils.pretty(configuration, value, formatUtils.Type.NUMBER);

      // With the rule off nothing is held back, and nothing needs the registry.
      const lookups = policy.periodMs === 0 ? [] : await lookUpNewerVersions(project, session, walkProject(project, lockedBefore).npmPackages, report);
      const pending = pendingVersions(lookups.flatMap(lookup => lookup.kind === `read` ? [lookup.outlook] : []));

      for (const entry of pending) {
        if (this.json) {
          report.reportJson({
            type: `pending`,
            package: entry.name,
            protocol: entry.protocol,
            version: entry.version,
            range: entry.range,
            usedVersion: entry.usedVersion,
            publishedAt: entry.publishedAt.toISOString(),
            ...ageFields(entry.ageMs),
            period,
            eligibleAt: entry.eligibleAt.toISOString(),
            path: entry.path,
          });
        } else {
          report.reportInfo(MessageName.UNNAMED, describePending(configuration, entry));
        }
      }

      for (const lookup of lookups) {
        if (lookup.kind === `unavailable`)
          report.reportError(MessageName.UNNAMED, `${structUtils.prettyIdent(configuration, lookup.pkg.ident)}: the registry did not give its versions (${lookup.reason}), so what it holds back is not listed. Fix: check the registry and its credentials, then run this again`);
      }

      const {versions, packages, nextEligibleAt} = summarizePending(pending);
      report.reportJson({type: `summary`, heldBack: versions, packages, nextEligibleAt: nextEligibleAt?.toISOString() ?? null, period, ...session.publishTimes.stats});
      if (this.json)
        return;
      const lookedUpCount = new Set(lookups.map(lookup => lookup.pkg.name)).size;
      const lookedUp = `${number(lookedUpCount)} ${lookedUpCount === 1 ? `package` : `packages`} with ranges that accept newer versions looked up`;
      const setting = formatUtils.pretty(configuration, `quarantinePeriod`, formatUtils.Type.SETTING);
      if (period === null)
        report.reportInfo(MessageName.UNNAMED, `Pending: the release-age rule is off (${setting} 0), so nothing is held back`);
      else if (nextEligibleAt === null)
        report.reportInfo(MessageName.UNNAMED, `Pending: nothing held back (${setting} ${policy.periodText}; ${lookedUp})`);
      else
        report.reportInfo(MessageName.UNNAMED, `Pending: ${number(versions)} ${versions === 1 ? `version` : `versions`} held back across ${number(packages)} ${packages === 1 ? `package` : `packages`}; `
          + `the next becomes eligible at ${formatUtils.pretty(configuration, formatUtc(nextEligibleAt), `magenta`)} (${lookedUp})`);
    });

    return report.exitCode() === 0 ? 0 : 2;
  }
}

/** One held-back version: what it would replace under which range, when it was published and when it becomes eligible. */
function describePending(configuration: Configuration, entry: PendingVersion): string {
  const pretty = (value: string, type: string) => formatUtils.pretty(configuration, value, type);
  const via = entry.path.length > 1 ? ` (via ${printable(entry.path.join(` > `))})` : ``;
  return `${prettyRegistryVersion(configuration, entry.name, entry.protocol, entry.version)} would replace ${pretty(entry.usedVersion, formatUtils.Type.REFERENCE)} `
    + `under ${pretty(entry.range, formatUtils.Type.RANGE)}: published ${formatUtc(entry.publishedAt)}, ${formatAge(entry.ageMs)}; `
    + `eligible at ${pretty(formatUtc(entry.eligibleAt), `magenta`)}${via}`;
}
