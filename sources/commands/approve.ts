import {BaseCommand} from '@yarnpkg/cli';
import {Configuration, formatUtils, MessageName, Project, ReportError, StreamReport, ThrowReport} from '@yarnpkg/core';
import {Command, Option, type Usage} from 'clipanion';

import {parseDuration} from '../policy/duration';
import {formatListEntry, MOMENT_FORMS, parseListEntry, parseMoment} from '../policy/listEntry';
import {parsePattern, pinnedVersionOf, type Pattern} from '../policy/pattern';
import {type ApprovableRule, isApprovable, LIST_OF_RULE} from '../policy/policy';
import {entryCovers, type ApprovalTarget} from '../rules/expiredApprovals';
import {recallBlocked} from '../yarn/blockedFindings';
import {evaluateProject} from '../yarn/evaluation';
import {openLockedProject} from '../yarn/lockfileProject';

const LAST_WRITABLE_MOMENT = Date.UTC(10000, 0, 1);

export default class QuarantineApproveCommand extends BaseCommand {
  static paths = [[`quarantine`, `approve`]];

  static usage: Usage = Command.Usage({
    category: `Quarantine-related commands`,
    description: `approve packages the quarantine policy blocks`,
    details: `
      Adds each pattern (a package name or glob, optionally followed by \`@\` and a semver range) to the list of the rule that blocks it, in the project's \`.yarnrc.yml\`, through Yarn's configuration API so the file keeps its other settings. Running it twice changes nothing.

      A sub-dependency from git, a tarball URL, \`file:\`, \`exec:\`, \`link:\` or \`portal:\` is approved as that very source, \`name@<source>\` as the finding prints it: approving its name alone does not let a package of that name in from anywhere. What the lockfile rule finds (yarn.lock or the committed cache disagreeing with the manifests or the registry) is fixed in the lockfile, not approved.

      Install scripts are approved for one version at a time: \`--scripts\` takes \`name@version\` and nothing broader, so the next version that adds or changes a script is stopped again. So is a trust downgrade: \`--trust\` takes \`name@version\`, so the next version published without the evidence its line had is stopped again.

      \`--until <moment>\` or \`--for <duration>\` makes the approval expire: the entry is written as \`<pattern> until <YYYY-MM-DD HH:MM> UTC\` (\`axios@1.15.3 until 2026-12-08 12:00 UTC\`), the same spelling in every list, and stops approving anything at that moment; the finding it would have covered then says that it expired. \`--until\` takes a date (\`2026-12-08\`, meaning 00:00 UTC), or a time with \`Z\` or an offset (\`2026-12-08T12:00Z\`); \`--for\` a duration in the \`quarantinePeriod\` grammar (\`12h\`, \`3d\`, \`1w\`), counted from now; both are rounded down to the minute. Approving a pattern that a list already holds with another expiry (or none) replaces that entry (every entry of that pattern), so an approval can be renewed, shortened or made permanent. Yarn's configuration API writes the file anew: comments in it are not kept. \`yarn quarantine check\` warns of entries that expire within a week; \`yarn quarantine prune\` removes expired ones.

      \`--release-age\` writes to \`quarantineExemptPackages\`, \`--new-dependency\` to \`quarantineApprovedDependencies\`, \`--scripts\` to \`quarantineApprovedScripts\`, \`--trust\` to \`quarantineTrustExemptPackages\`. Without a flag the list is chosen from the current findings: those of the lockfile as it stands (against the lockfile of the \`--since\` revision, if given), and those of the last install the plugin blocked in this project.

      Exit codes: \`0\` when every pattern was written or already present, \`1\` when, without a flag, a pattern matches no current finding, \`2\` on bad input (an invalid pattern, \`--until\` or \`--for\`, a version range given to \`--scripts\` or \`--trust\`); nothing is written unless every pattern can be.
    `,
    examples: [[
      `Approve the package the last blocked install named`,
      `$0 quarantine approve plain-crypto-js`,
    ], [
      `In a pull request, approve what \`yarn quarantine check --since origin/main\` reported`,
      `$0 quarantine approve --since origin/main plain-crypto-js`,
    ], [
      `Exempt one version from the release-age rule`,
      `$0 quarantine approve --release-age axios@1.15.3`,
    ], [
      `Approve the install script that one version of a package added`,
      `$0 quarantine approve --scripts esbuild@0.25.1`,
    ], [
      `Approve one version published without the trusted publisher its release line had`,
      `$0 quarantine approve --trust axios@1.14.1`,
    ], [
      `Exempt a version from the release-age rule for a week only`,
      `$0 quarantine approve --release-age axios@1.15.3 --for 1w`,
    ], [
      `Approve a new sub-dependency until a given day`,
      `$0 quarantine approve plain-crypto-js --until 2026-12-31`,
    ], [
      `Approve a tarball sub-dependency from that one URL`,
      `$0 quarantine approve 'payload@https://example.com/payload-1.0.0.tgz'`,
    ], [
      `Approve a whole scope of platform packages as new sub-dependencies`,
      `$0 quarantine approve --new-dependency '@oxc-parser/*'`,
    ]],
  });

  releaseAge = Option.Boolean(`--release-age`, false, {description: `Add the patterns to quarantineExemptPackages`});

  newDependency = Option.Boolean(`--new-dependency`, false, {description: `Add the patterns to quarantineApprovedDependencies`});

  scripts = Option.Boolean(`--scripts`, false, {description: `Add the versions to quarantineApprovedScripts (name@version only)`});

  trust = Option.Boolean(`--trust`, false, {description: `Add the versions to quarantineTrustExemptPackages (name@version only)`});

  since = Option.String(`--since`, {description: `Without a flag, decide from the findings against yarn.lock at this git revision`});

  until = Option.String(`--until`, {description: `Make the approval expire at this moment (2026-12-08, 2026-12-08T12:00Z)`});

  forDuration = Option.String(`--for`, {description: `Make the approval expire after this long (12h, 3d, 1w)`});

  patterns = Option.Rest({required: 1});

  async execute() {
    const configuration = await Configuration.find(this.context.cwd, this.context.plugins);
    let badInput = false;
    const refuse = (message: string) => {
      badInput = true;
      return new ReportError(MessageName.UNNAMED, message);
    };

    const report = await StreamReport.start({configuration, stdout: this.context.stdout, includeFooter: false}, async report => {
      const patterns = this.patterns.map(source => {
        const pattern = parsePattern(source);
        if (pattern === null)
          throw refuse(`${source}: not a valid pattern; expected a package name or glob, optionally followed by @ and a semver range (lodash, @acme/*, axios@1.14.0)`);
        return pattern;
      });
      const expiresAt = this.expiry(refuse);

      const rulesOf = await this.chooseRules(configuration, patterns);
      const cwd = configuration.projectCwd ?? this.context.cwd;

      // Every pattern is judged before anything is written: one bad pattern leaves .yarnrc.yml as it was.
      const plan = patterns.map(pattern => ({pattern, rules: rulesOf(pattern)}));
      for (const {pattern, rules} of plan) {
        // An approval of a script is of what one version runs: a name or range would approve what later versions add.
        if (rules.includes(`install-scripts`) && pinnedVersionOf(pattern) === null)
          throw refuse(`${pattern.text}: install scripts are approved one version at a time; expected name@version (esbuild@0.25.1)${this.scripts ? `` : `, the version the finding names`}`);
        // So is a version published without the evidence its line had: the next one must be judged again.
        if (rules.includes(`trust`) && pinnedVersionOf(pattern) === null)
          throw refuse(`${pattern.text}: trust downgrades are approved one version at a time; expected name@version (axios@1.14.1)${this.trust ? `` : `, the version the finding names`}`);
      }

      for (const {pattern, rules} of plan) {
        const entry = formatListEntry(pattern.text, expiresAt);
        for (const rule of rules) {
          const setting = LIST_OF_RULE[rule];
          const prettySetting = formatUtils.pretty(configuration, setting, formatUtils.Type.SETTING);
          const prettyEntry = formatUtils.pretty(configuration, entry, formatUtils.Type.CODE);
          // Judged on the project's own file: an entry from the environment or a home rc is not the repository's.
          let replaced: string | null = null;
          let present = false;
          await Configuration.updateConfiguration(cwd, {
            [setting]: (existing: unknown) => {
              const entries = Array.isArray(existing) ? existing.map(String) : [];
              present = entries.includes(entry);
              if (present)
                return existing;
              // The same pattern with another expiry (or none) is renewed in place, and listed once: a second, permanent entry would outlive the expiry.
              const samePattern = entries.filter(other => patternTextOf(other) === pattern.text.trim());
              if (samePattern.length === 0)
                return [...entries, entry];
              replaced = samePattern.join(`, `);
              const first = entries.indexOf(samePattern[0]);
              return entries.flatMap((other, index) => index === first ? [entry] : samePattern.includes(other) ? [] : [other]);
            },
          });
          if (present)
            report.reportInfo(MessageName.UNNAMED, `${prettyEntry} is already in ${prettySetting}`);
          else if (replaced !== null)
            report.reportInfo(MessageName.UNNAMED, `Replaced ${formatUtils.pretty(configuration, replaced, formatUtils.Type.CODE)} with ${prettyEntry} in ${prettySetting} in .yarnrc.yml`);
          else
            report.reportInfo(MessageName.UNNAMED, `Added ${prettyEntry} to ${prettySetting} in .yarnrc.yml`);
        }
      }
    });

    if (badInput)
      return 2;
    return report.exitCode();
  }

  /** When the approval stops counting, from `--until` or `--for`; null for one that does not expire. */
  private expiry(refuse: (message: string) => ReportError): Date | null {
    if (this.until !== undefined && this.forDuration !== undefined)
      throw refuse(`--until and --for both say when the approval expires; give one`);
    const now = Date.now();
    let expiresAt: number;
    if (this.until !== undefined) {
      const moment = parseMoment(this.until);
      if (moment === null)
        throw refuse(`--until ${this.until}: not a moment; expected ${MOMENT_FORMS}`);
      expiresAt = moment.getTime();
    } else if (this.forDuration !== undefined) {
      const duration = parseDuration(this.forDuration);
      if (duration === null || duration === 0)
        throw refuse(`--for ${this.forDuration}: not a duration; expected one in the quarantinePeriod grammar, such as 90m, 12h, 3d or 1w (a bare number is minutes)`);
      expiresAt = now + duration;
    } else {
      return null;
    }
    // Written to the minute, rounded down: an approval never outlives what was asked.
    const written = Math.floor(expiresAt / 60_000) * 60_000;
    // Past year 9999 the moment has no four-digit year, so the entry written would not read back.
    if (!(written < LAST_WRITABLE_MOMENT))
      throw refuse(`${this.until !== undefined ? `--until ${this.until}` : `--for ${this.forDuration}`}: that is after the year 9999; expected a moment before it`);
    if (written <= now)
      throw refuse(`${this.until !== undefined ? `--until ${this.until}` : `--for ${this.forDuration}`}: that moment has already passed; expected one in the future`);
    return new Date(written);
  }

  /** The flags decide; without them, the rules whose current findings a pattern matches. */
  private async chooseRules(configuration: Configuration, patterns: ReadonlyArray<Pattern>): Promise<(pattern: Pattern) => Array<ApprovableRule>> {
    const chosen: Array<ApprovableRule> = [
      ...(this.releaseAge ? [`release-age` as const] : []),
      ...(this.newDependency ? [`new-dependency` as const] : []),
      ...(this.scripts ? [`install-scripts` as const] : []),
      ...(this.trust ? [`trust` as const] : []),
    ];
    if (chosen.length > 0)
      return () => chosen;

    const {project} = await Project.find(configuration, this.context.cwd);
    const current: Array<ApprovalTarget> = await recallBlocked(project);
    try {
      const locked = await openLockedProject(configuration, this.context.cwd, {since: this.since});
      current.push(...await evaluateProject(locked.project, locked.session, locked.lockedBefore, new ThrowReport()));
    } catch (error) {
      // A lockfile that no longer covers the manifests: the last blocked install is all there is to go on.
      if (this.since)
        throw error;
    }
    const approvable = current.filter((finding): finding is ApprovalTarget & {rule: ApprovableRule} => isApprovable(finding.rule));
    return pattern => {
      const rules = [...new Set(approvable.filter(finding => entryCovers(pattern, finding)).map(finding => finding.rule))];
      if (rules.length === 0)
        throw new ReportError(MessageName.UNNAMED, `${pattern.text} matches no current finding of the lockfile or of the last blocked install. Fix: say which list with --release-age, --new-dependency, --scripts or --trust`);
      return rules;
    };
  }
}

/** The pattern part of a list entry, as written: `axios@1.15.3` of `axios@1.15.3 until 2026-12-08 12:00 UTC`. */
function patternTextOf(entry: string): string {
  const parsed = parseListEntry(entry);
  return `malformed` in parsed ? entry.trim() : parsed.pattern.text.trim();
}
