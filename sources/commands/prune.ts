import {BaseCommand} from '@yarnpkg/cli';
import {Configuration, formatUtils, MessageName, Project, ReportError, StreamReport, structUtils} from '@yarnpkg/core';
import {Command, Option, type Usage} from 'clipanion';
import semver from 'semver';

import {formatUtc} from '../policy/duration';
import {type ListEntry, type ListSetting, parseListEntry} from '../policy/listEntry';
import {LIST_OF_RULE} from '../policy/policy';
import {entriesToPrune, type LockedFacts, type PruneReason} from '../rules/prune';
import {isYarnClassicLockfile} from '../yarn/lockfileProject';
import {displayRange} from '../yarn/packageSource';
import {sessionFor} from '../yarn/session';

export default class QuarantinePruneCommand extends BaseCommand {
  static paths = [[`quarantine`, `prune`]];

  static usage: Usage = Command.Usage({
    category: `Quarantine-related commands`,
    description: `remove approvals that no longer approve anything`,
    details: `
      Removes from the lists of the project's \`.yarnrc.yml\` (\`quarantineExemptPackages\`, \`quarantineApprovedDependencies\`, \`quarantineApprovedScripts\`, \`quarantineTrustExemptPackages\`) every entry whose expiry (\`approve --until\` or \`--for\`) has passed, and every entry that matches nothing in \`yarn.lock\` any more: no locked package of that name (and within that range), no locked dependency from that source. Each removal is named with its reason. The file is edited through Yarn's configuration API, so its other settings stay as they are.

      Only the project's own \`.yarnrc.yml\` is edited: entries that a \`YARN_*\` variable or an rc file outside the project adds are left to their owners.

      An entry that matches nothing in the lockfile may be waiting for an update that has not been made yet (an exemption approved before \`yarn up\`): run \`prune\` after such updates, or look with \`--dry-run\` first.

      Yarn's configuration API writes the file anew: the values of its other settings stay, but comments in it are not kept. Run \`--dry-run\` first to see what would go.

      Exit codes: \`0\` when the lists were pruned or had nothing to prune, \`2\` when the project could not be read (a bad setting, no \`yarn.lock\`, a Yarn 1 lockfile not yet migrated); nothing is written then.
    `,
    examples: [[
      `Say what would be removed, without writing anything`,
      `$0 quarantine prune --dry-run`,
    ], [
      `Remove expired and unused approvals`,
      `$0 quarantine prune`,
    ]],
  });

  dryRun = Option.Boolean(`--dry-run`, false, {description: `Say what would be removed, and write nothing`});

  json = Option.Boolean(`--json`, false, {description: `Format the output as an NDJSON stream`});

  async execute() {
    const configuration = await Configuration.find(this.context.cwd, this.context.plugins);

    const report = await StreamReport.start({configuration, json: this.json, stdout: this.context.stdout, includeFooter: false}, async report => {
      const {project} = await Project.find(configuration, this.context.cwd);
      const session = sessionFor(project);
      if (session.onDisk === null)
        throw new ReportError(MessageName.UNNAMED, `there is no yarn.lock to prune against: entries are kept while they match something in it. Fix: run yarn install first`);
      // Yarn reads no packages out of a Yarn 1 lockfile until its migration: every entry would seem to match nothing.
      if (isYarnClassicLockfile(session))
        throw new ReportError(MessageName.UNNAMED, `yarn.lock is a Yarn 1 lockfile, whose packages Yarn only reads once it has migrated it: pruning against it would remove every entry. Fix: run yarn install, then prune`);
      const locked = lockedFacts(project);
      const code = (text: string) => formatUtils.pretty(configuration, text, formatUtils.Type.CODE);
      const counts = new Map<PruneReason, number>();

      for (const setting of Object.values(LIST_OF_RULE) as Array<ListSetting>) {
        let pruned: Array<{entry: ListEntry, reason: PruneReason}> = [];
        await Configuration.updateConfiguration(project.cwd, {
          [setting]: (existing: unknown) => {
            const entries = (Array.isArray(existing) ? existing.map(String) : []).flatMap(text => {
              const entry = parseListEntry(text);
              return `malformed` in entry ? [] : [entry];
            });
            pruned = entriesToPrune(entries, locked, session.now);
            if (this.dryRun || pruned.length === 0)
              return existing;
            const kept = (existing as Array<unknown>).filter(value => !pruned.some(({entry}) => entry.text === String(value)));
            return kept.length > 0 ? kept : Configuration.deleteProperty;
          },
        });

        for (const {entry, reason} of pruned) {
          counts.set(reason, (counts.get(reason) ?? 0) + 1);
          const why = reason === `expired` ? `expired at ${formatUtc(entry.expiresAt!)}` : `matches nothing in yarn.lock`;
          report.reportJson({type: `pruned`, setting, entry: entry.text, reason, expiresAt: entry.expiresAt?.toISOString() ?? null, dryRun: this.dryRun});
          report.reportInfo(MessageName.UNNAMED, `${this.dryRun ? `Would remove` : `Removed`} ${code(entry.text)} from ${formatUtils.pretty(configuration, setting, formatUtils.Type.SETTING)}: ${why}`);
        }
      }

      const total = [...counts.values()].reduce((sum, count) => sum + count, 0);
      const parts = ([[`expired`, counts.get(`expired`) ?? 0], [`matching nothing in yarn.lock`, counts.get(`unmatched`) ?? 0]] as Array<[string, number]>).filter(([, count]) => count > 0).map(([label, count]) => `${count} ${label}`);
      report.reportJson({type: `summary`, removed: this.dryRun ? 0 : total, wouldRemove: this.dryRun ? total : 0, expired: counts.get(`expired`) ?? 0, unmatched: counts.get(`unmatched`) ?? 0});
      report.reportInfo(MessageName.UNNAMED, total === 0
        ? `Nothing to prune: every entry is current and matches something in yarn.lock`
        : `${this.dryRun ? `Would remove` : `Removed`} ${total} ${total === 1 ? `entry` : `entries`} (${parts.join(`, `)})${this.dryRun ? `; nothing was written` : ` from .yarnrc.yml`}`);
    });

    return report.exitCode() === 0 ? 0 : 2;
  }
}

/** The packages and non-registry sources yarn.lock holds, as Yarn read it. */
function lockedFacts(project: Project): LockedFacts {
  const packages = [...project.originalPackages.values()]
    .filter(pkg => !pkg.reference.startsWith(`workspace:`))
    .map(pkg => ({name: structUtils.stringifyIdent(pkg), version: pkg.version !== null && semver.valid(pkg.version) !== null ? pkg.version : null}));
  const sources = [...project.storedDescriptors.values()]
    .map(descriptor => ({name: structUtils.stringifyIdent(descriptor), source: displayRange(descriptor.range)}));
  return {packages, sources};
}
