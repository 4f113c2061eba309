import {INSTALL_SCRIPT_NAMES, type InstallScripts, type InstallScriptsFact} from '../rules/installScript';
import type {PublishTime} from '../rules/publishTime';
import {trustFactOf, type PublishedVersion, type TrustFact} from '../rules/trust';
import type {TrustEvidence} from '../rules/trustEvidence';

export type ManifestDependencies = {
  dependencies: Record<string, string>;
  optionalDependencies: Record<string, string>;
  peerDependencies: Record<string, string>;
  scripts: Record<string, string>;
};

export type PackumentTimes = {
  versions: ReadonlySet<string>;
  distTags: Readonly<Record<string, string>>;
  /** False when the document had no `time` map at all (some private registries). */
  hasTimeMap: boolean;
  /**
   * The registry's own document, not Yarn's metadata copy, which drops `hasInstallScript`, `gypfile`,
   * `_npmUser` and `dist.attestations`: only such a document can tell that scripts were left out, or
   * how a version was published.
   */
  isFullDocument: boolean;
  timeOf(version: string): PublishTime;
  /** `dist.tarball` of a listed version, when the registry gives one. */
  tarballOf(version: string): string | null;
  /** The fields of a listed version's manifest that decide what Yarn makes its dependencies (strings only); null when not listed. */
  dependenciesOf(version: string): ManifestDependencies | null;
  /** The scripts Yarn would run when building a listed version; `unknown` when not listed. */
  installScriptsOf(version: string): InstallScriptsFact;
  /** How a listed version was published; null when not listed or when the document carries no such fields (Yarn's metadata copy). */
  trustOf(version: string): TrustEvidence | null;
  /** How a version was published against the earlier versions of its release line; `unknown` from Yarn's metadata copy, which drops the evidence. */
  trustFactOf(version: string): TrustFact;
};

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

export class MalformedPackumentError extends Error {}

/** What the rules read of one listed version, distilled once so that the document itself is not kept. */
type VersionRecord = {
  tarball: string | null;
  dependencies: ManifestDependencies | null;
  installScripts: InstallScriptsFact;
  trust: TrustEvidence;
};

/**
 * The only place registry data is interpreted. A time that is not a full ISO-8601 timestamp counts
 * as missing rather than being guessed at, so a garbled `time` map can never make a version look old.
 * `fullDocument`: whether this is the registry's own document, or Yarn's metadata copy, which drops
 * `hasInstallScript`, `gypfile`, `_npmUser` and `dist.attestations` (the caller knows which it read).
 * Each version is distilled into what the rules read: a full document of a large package holds
 * megabytes of manifests, and a cold install reads one per package.
 */
export function readPackument(document: unknown, {fullDocument = true}: {fullDocument?: boolean} = {}): PackumentTimes {
  if (!isRecord(document) || !isRecord(document.versions))
    throw new MalformedPackumentError(`the registry answered without a "versions" map`);

  const versions = new Set(Object.keys(document.versions));
  const distTags: Record<string, string> = {};
  if (isRecord(document[`dist-tags`]))
    for (const [tag, version] of Object.entries(document[`dist-tags`]))
      if (typeof version === `string`)
        distTags[tag] = version;

  const timeMap = isRecord(document.time) ? document.time : null;
  const times = new Map<string, Date>();
  if (timeMap !== null) {
    for (const version of versions) {
      const value = Object.hasOwn(timeMap, version) ? timeMap[version] : undefined;
      const at = typeof value === `string` ? parseTimestamp(value) : null;
      if (at !== null)
        times.set(version, at);
    }
  }

  const records = new Map<string, VersionRecord>();
  for (const [version, manifest] of Object.entries(document.versions)) {
    if (!isRecord(manifest))
      continue;
    const dist = isRecord(manifest.dist) ? manifest.dist : null;
    records.set(version, {
      tarball: dist !== null && typeof dist.tarball === `string` && /^https?:\/\//.test(dist.tarball) ? dist.tarball : null,
      dependencies: {dependencies: stringsOf(manifest.dependencies), optionalDependencies: stringsOf(manifest.optionalDependencies), peerDependencies: stringsOf(manifest.peerDependencies), scripts: stringsOf(manifest.scripts)},
      installScripts: installScriptsIn(manifest),
      trust: trustIn(manifest),
    });
  }
  let published: Array<PublishedVersion> | undefined;

  return {
    versions,
    distTags,
    hasTimeMap: timeMap !== null,
    isFullDocument: fullDocument,
    timeOf(version) {
      if (!versions.has(version))
        return {kind: `unlisted`};
      const at = times.get(version);
      return at ? {kind: `known`, at} : {kind: `missing`};
    },
    tarballOf(version) {
      return records.get(version)?.tarball ?? null;
    },
    dependenciesOf(version) {
      return records.get(version)?.dependencies ?? null;
    },
    installScriptsOf(version) {
      return records.get(version)?.installScripts ?? {kind: `unknown`, reason: `the registry does not list this version`};
    },
    trustOf(version) {
      const record = records.get(version);
      return record && fullDocument ? record.trust : null;
    },
    trustFactOf(version) {
      if (!fullDocument)
        return {kind: `unknown`, reason: `Yarn's metadata copy of the document does not keep how versions were published`};
      published ??= [...versions].map(listed => ({version: listed, publishedAt: times.get(listed) ?? null, evidence: records.get(listed)?.trust ?? NO_EVIDENCE}));
      return trustFactOf(version, published);
    },
  };
}

const NO_EVIDENCE: TrustEvidence = {publisher: false, trustedPublisher: false, provenance: false};

/**
 * Yarn builds a package with its `preinstall`, `install` and `postinstall` scripts, and with
 * `node-gyp rebuild` when it has a binding.gyp and no `install` script; npm records that file as
 * `gypfile: true`. A manifest that says it has install scripts (`hasInstallScript`, as abbreviated
 * documents do) without listing them cannot be compared, so it is not taken for one without.
 */
function installScriptsIn(manifest: Record<string, unknown>): InstallScriptsFact {
  const scripts = stringsOf(manifest.scripts);
  const found: InstallScripts = {};
  for (const name of INSTALL_SCRIPT_NAMES)
    if (Object.hasOwn(scripts, name) && scripts[name].trim() !== ``)
      found[name] = scripts[name];
  if (manifest.gypfile === true && typeof found.install === `undefined`)
    found.install = `node-gyp rebuild`;
  if (Object.keys(found).length === 0 && manifest.hasInstallScript === true)
    return {kind: `omitted`};
  return {kind: `known`, scripts: found};
}

function trustIn(manifest: Record<string, unknown>): TrustEvidence {
  const user = isRecord(manifest._npmUser) ? manifest._npmUser : null;
  const dist = isRecord(manifest.dist) ? manifest.dist : null;
  return {
    publisher: user !== null,
    trustedPublisher: user !== null && isRecord(user.trustedPublisher),
    // As the public registry spells it: `{url, provenance: {predicateType}}`; an attestation of the publish alone is no provenance.
    provenance: dist !== null && isRecord(dist.attestations) && isRecord(dist.attestations.provenance),
  };
}

/** A full ISO-8601 timestamp naming a real calendar time; `Date` alone would roll 02-31 over to 03-02. */
function parseTimestamp(value: string): Date | null {
  const match = ISO_8601.exec(value);
  if (match === null)
    return null;
  const [year, month, day, hour, minute, second = `0`, offsetHours = `0`, offsetMinutes = `0`] = match.slice(1).map(part => part ?? undefined);
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const valid = Number(month) >= 1 && Number(month) <= 12 && Number(day) >= 1 && Number(day) <= daysInMonth
    && Number(hour) <= 23 && Number(minute) <= 59 && Number(second) <= 59 && Number(offsetHours) <= 23 && Number(offsetMinutes) <= 59;
  const at = new Date(value);
  return valid && Number.isFinite(at.getTime()) ? at : null;
}

function stringsOf(field: unknown): Record<string, string> {
  return isRecord(field) ? Object.fromEntries(Object.entries(field).filter((entry): entry is [string, string] => typeof entry[1] === `string`)) : {};
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === `object` && value !== null && !Array.isArray(value);
}
