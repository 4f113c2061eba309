import type {Finding} from '../../rules/finding';
import {approveIt, fix} from './fix';
import {describeScript} from './installScripts';
import type {KindMessages} from './kindMessage';
import type {Phrases} from './phrases';

export const newDependencyMessages = {
  [`new-sub-dependency`]: {
    one: `new sub-dependency`,
    many: `new sub-dependencies`,
    line: (finding, say) => {
      const declared = `${say.code(`${finding.name}@${finding.range}`)}${finding.detail ? ` (${finding.detail})` : ``}`;
      return `${say.subject} is a new sub-dependency: ${describeParent(say, finding)} ${declared}, a package this project never had`
        + `${describeNewScripts(say, finding)}${describeOptional(finding)}${describeBringsAlong(finding)}${say.via}`
        + fix(approveIt(say, finding, finding.name));
    },
  },
  [`exotic-source`]: {
    one: `non-registry source`,
    many: `non-registry sources`,
    line: (finding, say) => {
      const parent = say.code(finding.parent ? `${finding.parent.name}@${finding.parent.version}` : `a package`);
      const stopped = finding.version === null
        // Judged edge by edge (no version yet): Yarn had not resolved, so not fetched or run, anything for it.
        ? `Yarn would fetch${finding.detail === `exec:` ? ` and run` : ``} it during resolution, so it was stopped before any request`
        : `found in the resolved graph, and stopped before the fetch step`;
      return `${say.declared()}: a sub-dependency of ${parent} from ${finding.detail}, not locked before; ${stopped}`
        + fix(approveIt(say, finding, `'${finding.name}@${finding.range}'`));
    },
  },
} satisfies KindMessages;

function describeParent(say: Phrases, finding: Finding) {
  const parent = finding.parent!;
  const before = parent.baselineVersions.filter(version => version !== parent.version);
  if (before.length === 0 || parent.baselineVersions.includes(parent.version))
    return `${say.name(parent.name)} ${parent.version} now depends on`;
  return `${say.name(parent.name)} ${before.join(`, `)} -> ${parent.version} adds`;
}

/** Whether a new package runs anything at install: plain-crypto-js came with a postinstall. */
function describeNewScripts(say: Phrases, finding: Finding) {
  if (finding.scriptsRun === null)
    return ``;
  if (finding.scripts === null)
    return `; the registry does not say which install scripts it has`;
  if (finding.scripts.length === 0)
    return `; its registry document lists no install script`;
  const listed = finding.scripts.map(({script, command}) => describeScript(say, script, command)).join(` and `);
  return `; it has ${listed}, which ${finding.scriptsRun ? `Yarn would run` : `will not run here`}`;
}

function describeOptional(finding: Finding) {
  if (!finding.optional)
    return ``;
  return finding.conditions ? `; it is optional, for ${finding.conditions}` : `; it is optional`;
}

function describeBringsAlong({bringsAlong}: Finding) {
  if (bringsAlong <= 0)
    return ``;
  return bringsAlong === 1 ? `; 1 more new package comes with it` : `; ${bringsAlong} more new packages come with it`;
}
