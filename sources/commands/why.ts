import {BaseCommand} from '@yarnpkg/cli';
import {Configuration, formatUtils, MessageName, ReportError, StreamReport, structUtils} from '@yarnpkg/core';
import {Command, Option, type Usage} from 'clipanion';

import {ageFields, formatAge, formatUtc} from '../policy/duration';
import {findMatchingPattern} from '../policy/pattern';
import type {ReleaseAssessment} from '../rules/releaseAge';
import {jsrNameOf} from '../rules/jsr';
import {explainVersions} from '../yarn/explanation';
import {walkProject} from '../yarn/graph';
import {openLockedProject} from '../yarn/lockfileProject';
import {printable} from '../yarn/messages';
import {prettyRegistryVersion} from '../yarn/messages/phrases';

export default class QuarantineWhyCommand extends BaseCommand {
  static paths = [[`quarantine`, `why`]];

  static usage: Usage = Command.Usage({
    category: `Quarantine-related commands`,
    description: `explain what the quarantine policy says about a package`,
    details: `
      For each version of the package in \`yarn.lock\`: its publish time, age, status under the release-age rule and when it becomes eligible; the newer versions within the ranges the project declares that are held back, and until when; the paths from workspaces; whether the package is new against the baseline (\`yarn.lock\` itself, or at the \`--since\` revision); and which setting or pattern exempts or approves it.

      Exit codes: \`0\` when the package was explained, \`1\` when it is not in the lockfile, \`2\` when the project could not be evaluated.
    `,
    examples: [[
      `Explain axios`,
      `$0 quarantine why axios`,
    ], [
      `Explain a package against the base branch of a pull request`,
      `$0 quarantine why plain-crypto-js --since origin/main`,
    ]],
  });

  since = Option.String(`--since`, {description: `Take the baseline from yarn.lock at this git revision`});

  json = Option.Boolean(`--json`, false, {description: `Format the output as an NDJSON stream`});

  name = Option.String();

  async execute() {
    const configuration = await Configuration.find(this.context.cwd, this.context.plugins);
    let found = true;

    const report = await StreamReport.start({configuration, json: this.json, stdout: this.context.stdout, includeFooter: false}, async report => {
      const ident = structUtils.tryParseIdent(this.name);
      if (ident === null)
        throw new ReportError(MessageName.UNNAMED, `${this.name}: not a package name`);
      const asked = structUtils.stringifyIdent(ident);

      const {project, session, lockedBefore} = await openLockedProject(configuration, this.context.cwd, {since: this.since});
      const {policy, now} = session;
      const packages = walkProject(project, lockedBefore).npmPackages;
      // A `jsr:` package answers to its `@jsr/` npm name and to the name the project declares it by.
      const name = packages.some(pkg => pkg.name === asked) ? asked : packages.find(pkg => pkg.protocol === `jsr:` && jsrNameOf(pkg.name) === asked)?.name ?? asked;
      const versions = packages.filter(pkg => pkg.name === name);
      if (versions.length === 0) {
        found = false;
        report.reportError(MessageName.UNNAMED, `${structUtils.prettyIdent(configuration, ident)} is not an npm package in yarn.lock`);
        return;
      }

      const inBaseline = session.baseline?.versionsByName.has(name) ?? false;
      const listed = session.listings.names.has(name);
      const pretty = (value: string) => formatUtils.pretty(configuration, value, formatUtils.Type.CODE);

      for (const {pkg, fact: {publishTime: time, path}, assessment, newer} of await explainVersions(project, session, versions, lockedBefore, report)) {
        const approvedBy = findMatchingPattern(policy.approvedDependencies, name, pkg.version)?.text ?? null;

        if (this.json) {
          report.reportJson({
            type: `version`,
            package: name,
            version: pkg.version,
            publishedAt: time.kind === `known` ? time.at.toISOString() : null,
            ...ageFields(time.kind === `known` ? now.getTime() - time.at.getTime() : null),
            status: assessment.status,
            eligibleAt: assessment.status === `quarantined` ? assessment.eligibleAt.toISOString() : null,
            exemptBy: assessment.status === `exempt` ? assessment.pattern.text : null,
            newerInRange: newer.map(({range, version, assessment}) => ({range, version, status: assessment.status, eligibleAt: assessment.status === `quarantined` ? assessment.eligibleAt.toISOString() : null})),
            path,
            inBaseline,
            approvedBy,
            listedByUser: listed,
          });
          continue;
        }

        const published = time.kind === `known` ? `published ${formatUtc(time.at)}, ${formatAge(now.getTime() - time.at.getTime())}` : `no publish time known`;
        report.reportInfo(MessageName.UNNAMED, `${prettyRegistryVersion(configuration, pkg.name, pkg.protocol, pkg.version)}: ${published}; ${describeStatus(assessment)}`);
        for (const entry of newer)
          report.reportInfo(MessageName.UNNAMED, `  ${entry.version} satisfies ${pretty(entry.range)}: ${entry.assessment.status === `quarantined` ? `held back until ${formatUtc(entry.assessment.eligibleAt)}` : describeStatus(entry.assessment)}`);
        report.reportInfo(MessageName.UNNAMED, `  path: ${path.length > 0 ? printable(path.join(` > `)) : `not reachable from a workspace`}`);
      }

      if (!this.json) {
        const against = this.since ? `yarn.lock at ${this.since}` : `yarn.lock`;
        report.reportInfo(MessageName.UNNAMED, inBaseline ? `${name} is in the baseline (${against})` : `${name} is not in the baseline (${against}): \`yarn quarantine check${this.since ? ` --since ${this.since}` : ``}\` says whether it entered as a new sub-dependency`);
        const approvals = [
          listed ? `listed by the project (a workspace dependency, resolutions or packageExtensions)` : null,
          ...versions.map(pkg => findMatchingPattern(policy.approvedDependencies, name, pkg.version)).filter(Boolean).map(pattern => `approved by ${pretty(pattern!.text)} in quarantineApprovedDependencies`),
        ].filter(Boolean);
        report.reportInfo(MessageName.UNNAMED, approvals.length > 0 ? `New sub-dependency rule: ${[...new Set(approvals)].join(`; `)}` : `New sub-dependency rule: not approved or listed`);
      }
    });

    if (!found)
      return 1;
    return report.exitCode() === 0 ? 0 : 2;
  }
}

function describeStatus(assessment: ReleaseAssessment): string {
  switch (assessment.status) {
    case `off`: return `the release-age rule is off`;
    case `exempt`: return `exempt by ${assessment.pattern.text} in quarantineExemptPackages`;
    case `eligible`: return `eligible`;
    case `quarantined`: return `in quarantine until ${formatUtc(assessment.eligibleAt)}`;
    case `missing-publish-time`: return assessment.allowed ? `no publish time, allowed by quarantineMissingPublishTime` : `no publish time, rejected by quarantineMissingPublishTime`;
    case `unlisted`: return `no longer served by the registry`;
    case `unavailable`: return `publish time unavailable (${assessment.reason})`;
  }
}
