import type {Finding} from '../../rules/finding';
import {fix, runUp} from './fix';
import type {KindMessages} from './kindMessage';

export const lockfileMessages = {
  [`source-mismatch`]: {
    one: `source mismatch`,
    many: `source mismatches`,
    line: (finding, say) =>
      `${say.code(finding.declaredBy ?? `a package`)} declares ${say.declared()}, `
      + `but yarn.lock resolves it to ${say.code(finding.found ?? `unknown`)} (${finding.detail}): `
      + `a lockfile cannot change what a manifest declares, so nothing of it was fetched`
      + fix(`re-resolve it from the manifest with ${say.up} (in a Yarn 1 lockfile, delete its entry and install again)`,
        `declare that source in package.json if you mean it`),
  },
  [`unconfirmed-tarball`]: {
    one: `unconfirmed tarball URL`,
    many: `unconfirmed tarball URLs`,
    line: (finding, say) => {
      const registry = finding.expected !== null
        ? `but the registry serves ${finding.name} ${finding.version} at ${say.url(finding.expected)}`
        : `and the registry could not confirm that archive (${finding.detail})`;
      return `${say.subject}${say.locked}: yarn.lock fetches it from ${say.url(finding.found ?? ``)}, ${registry}; `
        + `it may be another version's archive, so nothing was fetched${say.via}${fix(runUp(say, `to take the registry's archive again`))}`;
    },
  },
  [`archive-mismatch`]: {
    one: `swapped archive`,
    many: `swapped archives`,
    line: (finding, say) => {
      const contents = finding.found !== null
        ? `holds ${describeHeld(finding)}`
        // No `expected`: the archive was not read, because Yarn would not check it against anything.
        : finding.expected === null ? `would be taken unchecked: ${finding.detail}` : `cannot be read as a package archive (${finding.detail})`;
      const refetch = `delete it and run ${say.code(`yarn install`)} to fetch the registry's archive; `
        + `zero-install projects should run ${say.code(`yarn install --immutable --immutable-cache --check-cache`)} in CI`;
      return `${say.subject}${say.locked}: its archive in the project's cache, ${say.path(finding.file ?? ``)}, ${contents}; `
        + `a pull request may have replaced it together with its checksum, so nothing was linked or run${say.via}`
        + fix(`restore that file from your base branch`, refetch);
    },
  },
  [`dependency-mismatch`]: {
    one: `dependency list not the registry's`,
    many: `dependency lists not the registry's`,
    line: (finding, say) => {
      const declares = finding.expected ? `declares ${say.code(finding.expected)}` : `declares no such dependency`;
      return `${say.subject}${say.locked}: yarn.lock says it depends on ${say.code(finding.found ?? ``)}, `
        + `but the registry's manifest of ${finding.name} ${finding.version} ${declares}: `
        + `a lockfile cannot change what a package depends on, so nothing of it was fetched${say.via}`
        + fix(runUp(say, `to take its dependencies from the registry again`));
    },
  },
  [`checksum-changed`]: {
    one: `checksum changed`,
    many: `checksums changed`,
    line: (finding, say) =>
      `${say.code(finding.found ?? finding.name)}: yarn.lock keeps this entry of the base revision with another checksum (${finding.detail}): `
      + `the same source now claims to hold other bytes`
      + fix(`restore the entry's checksum from the base branch; `
        + `if the source really changed, re-resolve it with ${say.up} and review what it holds now`),
  },
  [`format-downgrade`]: {
    one: `older lockfile format`,
    many: `older lockfile formats`,
    line: finding => {
      const format = finding.found === `Yarn 1` ? `a Yarn 1 lockfile` : `version ${finding.found}`;
      return `yarn.lock was rewritten in an older format (${format}) than the base revision's (version ${finding.expected}): `
        + `Yarn 4.14 and later take that for a project migrated from an older Yarn and, for the install, turn on every install script `
        + `and every git repository and (4.18) turn off its own age gate, writing ${finding.detail} into .yarnrc.yml`
        + fix(`restore yarn.lock from the base branch and run yarn install with the project's Yarn; `
          + `a project that moves to an older Yarn on purpose sets ${finding.detail} in .yarnrc.yml itself`);
    },
  },
} satisfies KindMessages;

/** `lib 1.0.1, not 1.0.0`, or `other 1.0.0, not lib 1.0.0` when the archive is another package. */
function describeHeld(finding: Finding) {
  const at = (finding.found ?? ``).lastIndexOf(`@`);
  const [name, version] = [(finding.found ?? ``).slice(0, at), (finding.found ?? ``).slice(at + 1)];
  return name === finding.name ? `${name} ${version}, not ${finding.version}` : `${name} ${version}, not ${finding.name} ${finding.version}`;
}
