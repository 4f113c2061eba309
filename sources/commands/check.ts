import {BaseCommand} from '@yarnpkg/cli';
import {Configuration, MessageName, Project, StreamReport} from '@yarnpkg/core';
import {npath, ppath, xfs} from '@yarnpkg/fslib';
import {Command, Option, type Usage} from 'clipanion';

import {chooseCheckOutput} from '../formats/checkFormat';
import {isBlocking} from '../rules/finding';
import {reportApprovalExpiries} from '../yarn/approvalExpiry';
import {evaluateProject} from '../yarn/evaluation';
import {sarifDocument, workflowCommands} from '../yarn/findingDocuments';
import {isYarnClassicLockfile, judgeClassicLockfile, resolveFromLockfile} from '../yarn/lockfileProject';
import {describePolicySources, formatCounts, policySources, reportFindingObjects, reportFindings, reportSummaryObject, withoutColors} from '../yarn/reporting';
import {sessionFor} from '../yarn/session';
import {checkHeaderLine} from '../yarn/settingSource';

export default class QuarantineCheckCommand extends BaseCommand {
  static paths = [[`quarantine`, `check`]];

  static usage: Usage = Command.Usage({
    category: `Quarantine-related commands`,
    description: `check the lockfile against the quarantine policy`,
    details: `
      Evaluates \`yarn.lock\` as it stands against every rule of the policy, without installing or writing anything in the project: every npm version in the lockfile against the release-age and trust-downgrade rules (a locked downgrade published more than 30 days ago is listed as a warning), and every entry against the lockfile rule (under \`quarantineLockfile: verify\`: what each entry resolves to, depends on and is fetched from must be what the manifests and the registry say; a committed cache's archives must hold what they claim), and, with \`--since\`, the new sub-dependency and install-script rules against the lockfile of another git revision (a package the revision never had; an update that adds or changes an install script Yarn would run; the trust-downgrade rule then also compares each update with the version it replaced, and a downgrade that revision did not lock is an error at any age), together with the checksums and format that revision locked.

      The graph is built from \`yarn.lock\` alone, never from \`.yarn/install-state.gz\`, which a pull request can write as easily. A lockfile whose workspace entries do not match the workspaces' \`package.json\` cannot be evaluated. A Yarn 1 lockfile is judged entry by entry (what Yarn's migration would make of it); the other rules need the migrated lockfile.

      The header says where each setting of the policy came from: the project's \`.yarnrc.yml\`, the default, or, as a warning a reviewer should notice, a \`YARN_*\` environment variable or a \`.yarnrc.yml\` outside the project (in a folder above it or in the home folder).

      Entries of the lists that have expired, or expire within a week, are named with a warning (and, with \`--json\`, an \`approval-expiry\` object each), so they are renewed or pruned before an install starts failing on them; a warning does not change the exit code.

      Publish times come from the same release-time cache and registry lookups as the install.

      \`--format\` chooses the output: \`text\` (the default), \`json\` (the same as \`--json\`: a policy object, one object per finding, then a summary), \`sarif\` (a SARIF 2.1.0 log for code scanning: one result per finding, its \`ruleId\` the rule's name, located on the key line of the finding's entry in \`yarn.lock\`, the path relative to the git repository's root) or \`github\` (one GitHub Actions workflow command per finding, \`::error file=yarn.lock,line=N,title=<rule>: <package>::<line>\`, \`::warning\` and \`::notice\` for warnings and info lines, then the summary line), so a pull request shows each finding on the lockfile line that brought it. A sarif or github document goes to stdout and the text report to stderr (for github, without the finding lines, which the commands carry); with \`--format sarif\`, \`--output <file>\` writes the log to that file instead (also when there are violations) and the text report to stdout. Nothing is written when the project could not be evaluated.

      Exit codes: \`0\` when there is no violation (warnings under \`warn\` modes included), \`1\` when there is at least one, \`2\` when the project could not be evaluated or the options are wrong (a bad setting, no lockfile, a revision without a lockfile, a lockfile that does not match the manifests, a Yarn 1 lockfile without findings, an unknown \`--format\`, \`--json\` with another \`--format\`, \`--output\` with another format than \`sarif\`, an \`--output\` file that cannot be written).
    `,
    examples: [[
      `Check the lockfile`,
      `$0 quarantine check`,
    ], [
      `Check a pull request against its base branch`,
      `$0 quarantine check --since origin/main`,
    ], [
      `Get one JSON object per finding, then a summary`,
      `$0 quarantine check --json`,
    ], [
      `Write a SARIF log for code scanning, with the text report on stdout`,
      `$0 quarantine check --since origin/main --format sarif --output quarantine.sarif`,
    ], [
      `Annotate the lockfile lines of a pull request in GitHub Actions`,
      `$0 quarantine check --since origin/main --format github`,
    ]],
  });

  since = Option.String(`--since`, {description: `Take the baseline of the new sub-dependency, install-script and trust-downgrade rules from yarn.lock at this git revision`});

  format = Option.String(`--format`, {description: `Format the output: text (the default), json, sarif or github`});

  output = Option.String(`--output`, {description: `With --format sarif: write the SARIF log to this file, and the text report to stdout`});

  json = Option.Boolean(`--json`, false, {description: `Format the output as an NDJSON stream (same as --format json)`});

  async execute() {
    const configuration = await Configuration.find(this.context.cwd, this.context.plugins);
    const chosen = chooseCheckOutput({format: this.format, json: this.json, output: this.output});
    if (`error` in chosen) {
      // A consumer that asked for JSON gets the error as JSON too.
      await StreamReport.start({configuration, json: this.json || this.format === `json`, stdout: this.context.stdout, includeFooter: false}, async report => {
        report.reportError(MessageName.UNNAMED, chosen.error);
      });
      return 2;
    }
    const {format, output} = chosen;
    const jsonReport = format === `json`;
    // A document on stdout leaves the text report to stderr; the github format's findings are its workflow commands.
    const documentOnStdout = output === null && (format === `sarif` || format === `github`);
    let violations = 0;
    let document: string | null = null;
    let unwritten = false;

    const report = await StreamReport.start({configuration, json: jsonReport, stdout: documentOnStdout ? this.context.stderr : this.context.stdout, includeFooter: false}, async report => {
      const {project} = await Project.find(configuration, this.context.cwd);
      const session = sessionFor(project);

      const warnings: Array<string> = [];
      if (jsonReport) {
        report.reportJson({type: `policy`, settings: describePolicySources(project), since: this.since ?? null});
      } else {
        for (const {source, value} of policySources(project)) {
          const {line, outside} = checkHeaderLine(source, value);
          if (outside) {
            report.reportWarning(MessageName.UNNAMED, line);
            warnings.push(withoutColors(line));
          } else {
            report.reportInfo(MessageName.UNNAMED, line);
          }
        }
        if (this.since)
          report.reportInfo(MessageName.UNNAMED, `Baseline: yarn.lock at ${this.since}`);
      }
      warnings.push(...reportApprovalExpiries(configuration, session.policy, session.now, report, {json: jsonReport}));

      const classic = isYarnClassicLockfile(session);
      const findings = classic
        ? await judgeClassicLockfile(project, session)
        // Every package of a lockfile-only resolution comes from yarn.lock, whatever the baseline says is new.
        : await evaluateProject(project, session, await resolveFromLockfile(project, session, {since: this.since}), report, {fromLockfile: new Set(project.originalPackages.keys())});
      const blocking = findings.filter(isBlocking);
      violations = blocking.length;
      const summaryLine = violations > 0 ? `Quarantine check: ${formatCounts(blocking)}` : `Quarantine check: no violation`;

      if (jsonReport) {
        reportFindingObjects(session, findings, report);
        reportSummaryObject(session, report);
      } else {
        reportFindings(project, session, format === `github` ? [] : findings, report, {policyLine: false});
        if (format !== `github`)
          report.reportInfo(MessageName.UNNAMED, summaryLine);
      }
      // Only the install's migration turns a Yarn 1 lockfile into a graph; until then the other rules cannot be evaluated.
      if (classic && violations === 0) {
        report.reportError(MessageName.UNNAMED, `yarn.lock is a Yarn 1 lockfile: its entries map to what the manifests declare, but the other rules need the graph that only Yarn's migration builds. Fix: run yarn install, which judges each entry as Yarn migrates it, then check the migrated lockfile`);
        return;
      }

      if (format === `sarif`)
        document = sarifDocument(project, {findings, warnings});
      else if (format === `github`)
        document = [...workflowCommands(project, {findings, warnings}), summaryLine, ``].join(`\n`);

      if (output !== null && document !== null) {
        const path = ppath.resolve(this.context.cwd, npath.toPortablePath(output));
        try {
          await xfs.mkdirPromise(ppath.dirname(path), {recursive: true});
          await xfs.writeFilePromise(path, document);
        } catch (error) {
          unwritten = true;
          report.reportError(MessageName.UNNAMED, `--output ${output}: could not write the SARIF log (${(error as Error).message}). Fix: pass a path in a folder you can write to`);
        }
      }
    });

    if (documentOnStdout && document !== null)
      this.context.stdout.write(document);
    if (unwritten)
      return 2;
    if (violations > 0)
      return 1;
    return report.exitCode() === 0 ? 0 : 2;
  }
}
