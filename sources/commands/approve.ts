import {BaseCommand} from '@yarnpkg/cli';
import {Configuration, formatUtils, MessageName, Project, ReportError, StreamReport, ThrowReport} from '@yarnpkg/core';
import {Command, Option, type Usage} from 'clipanion';

import {matchesPattern, parsePattern, pinnedVersionOf, type Pattern} from '../policy/pattern';
import type {Rule} from '../rules/finding';
import {recallBlocked} from '../yarn/blockedFindings';
import {evaluateProject} from '../yarn/evaluation';
import {openLockedProject} from '../yarn/lockfileProject';

/** The lockfile rule has no list: what it finds is fixed in the lockfile, not approved. */
type ApprovableRule = Exclude<Rule, `lockfile`>;

const SETTING_OF: Record<ApprovableRule, `quarantineExemptPackages` | `quarantineApprovedDependencies` | `quarantineApprovedScripts`> = {
  [`release-age`]: `quarantineExemptPackages`,
  [`new-dependency`]: `quarantineApprovedDependencies`,
  [`install-scripts`]: `quarantineApprovedScripts`,
};

export default class QuarantineApproveCommand extends BaseCommand {
  static paths = [[`quarantine`, `approve`]];

  static usage: Usage = Command.Usage({
    category: `Quarantine-related commands`,
    description: `approve packages the quarantine policy blocks`,
    details: `
      Adds each pattern (a package name or glob, optionally followed by \`@\` and a semver range) to the list of the rule that blocks it, in the project's \`.yarnrc.yml\`, through Yarn's configuration API so the file keeps its other settings. Running it twice changes nothing.

      A sub-dependency from git, a tarball URL, \`file:\`, \`exec:\`, \`link:\` or \`portal:\` is approved as that very source, \`name@<source>\` as the finding prints it: approving its name alone does not let a package of that name in from anywhere. What the lockfile rule finds (yarn.lock or the committed cache disagreeing with the manifests or the registry) is fixed in the lockfile, not approved.

      Install scripts are approved for one version at a time: \`--scripts\` takes \`name@version\` and nothing broader, so the next version that adds or changes a script is stopped again.

      \`--release-age\` writes to \`quarantineExemptPackages\`, \`--new-dependency\` to \`quarantineApprovedDependencies\`, \`--scripts\` to \`quarantineApprovedScripts\`. Without a flag the list is chosen from the current findings: those of the lockfile as it stands (against the lockfile of the \`--since\` revision, if given), and those of the last install the plugin blocked in this project.

      Exit codes: \`0\` when every pattern was written or already present, \`1\` when a pattern is invalid or, without a flag, matches no current finding.
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

  since = Option.String(`--since`, {description: `Without a flag, decide from the findings against yarn.lock at this git revision`});

  patterns = Option.Rest({required: 1});

  async execute() {
    const configuration = await Configuration.find(this.context.cwd, this.context.plugins);

    const report = await StreamReport.start({configuration, stdout: this.context.stdout, includeFooter: false}, async report => {
      const patterns = this.patterns.map(source => {
        const pattern = parsePattern(source);
        if (pattern === null)
          throw new ReportError(MessageName.UNNAMED, `${source}: not a valid pattern; expected a package name or glob, optionally followed by @ and a semver range (lodash, @acme/*, axios@1.14.0)`);
        return pattern;
      });

      const rulesOf = await this.chooseRules(configuration, patterns);
      const cwd = configuration.projectCwd ?? this.context.cwd;

      // Every pattern is judged before anything is written: one bad pattern leaves .yarnrc.yml as it was.
      const plan = patterns.map(pattern => ({pattern, rules: rulesOf(pattern)}));
      for (const {pattern, rules} of plan) {
        // An approval of a script is of what one version runs: a name or range would approve what later versions add.
        if (rules.includes(`install-scripts`) && pinnedVersionOf(pattern) === null)
          throw new ReportError(MessageName.UNNAMED, `${pattern.text}: install scripts are approved one version at a time; expected name@version (esbuild@0.25.1)${this.scripts ? `` : `, the version the finding names`}`);
      }

      for (const {pattern, rules} of plan) {
        for (const rule of rules) {
          const setting = SETTING_OF[rule];
          const prettySetting = formatUtils.pretty(configuration, setting, formatUtils.Type.SETTING);
          const prettyPattern = formatUtils.pretty(configuration, pattern.text, formatUtils.Type.CODE);
          // Judged on the project's own file: an entry from the environment or a home rc is not the repository's.
          let present = false;
          await Configuration.updateConfiguration(cwd, {
            [setting]: (existing: unknown) => {
              const entries = Array.isArray(existing) ? existing.map(String) : [];
              present = entries.includes(pattern.text);
              return present ? existing : [...entries, pattern.text];
            },
          });
          if (present) {
            report.reportInfo(MessageName.UNNAMED, `${prettyPattern} is already in ${prettySetting}`);
            continue;
          }
          report.reportInfo(MessageName.UNNAMED, `Added ${prettyPattern} to ${prettySetting} in .yarnrc.yml`);
        }
      }
    });

    return report.exitCode();
  }

  /** The flags decide; without them, the rules whose current findings a pattern matches. */
  private async chooseRules(configuration: Configuration, patterns: ReadonlyArray<Pattern>): Promise<(pattern: Pattern) => Array<ApprovableRule>> {
    const chosen: Array<ApprovableRule> = [
      ...(this.releaseAge ? [`release-age` as const] : []),
      ...(this.newDependency ? [`new-dependency` as const] : []),
      ...(this.scripts ? [`install-scripts` as const] : []),
    ];
    if (chosen.length > 0)
      return () => chosen;

    const {project} = await Project.find(configuration, this.context.cwd);
    const current: Array<{rule: Rule, name: string, version: string | null}> = await recallBlocked(project);
    try {
      const locked = await openLockedProject(configuration, this.context.cwd, {since: this.since});
      current.push(...await evaluateProject(locked.project, locked.session, locked.lockedBefore, new ThrowReport()));
    } catch (error) {
      // A lockfile that no longer covers the manifests: the last blocked install is all there is to go on.
      if (this.since)
        throw error;
    }
    const approvable = current.filter((finding): finding is {rule: ApprovableRule, name: string, version: string | null} => finding.rule !== `lockfile`);
    const covers = (pattern: Pattern, finding: typeof approvable[number]) => {
      if (!pattern.name.test(finding.name))
        return false;
      // A pattern naming a source approves that source as a new sub-dependency, and nothing else.
      if (pattern.source !== null)
        return finding.rule === `new-dependency`;
      return finding.version === null || pattern.range === null || matchesPattern(pattern, finding.name, finding.version);
    };
    return pattern => {
      const rules = [...new Set(approvable.filter(finding => covers(pattern, finding)).map(finding => finding.rule))];
      if (rules.length === 0)
        throw new ReportError(MessageName.UNNAMED, `${pattern.text} matches no current finding of the lockfile or of the last blocked install. Fix: say which list with --release-age, --new-dependency or --scripts`);
      return rules;
    };
  }
}
