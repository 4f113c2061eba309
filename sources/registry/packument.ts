import type {PublishTime} from '../rules/publishTime';

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
  timeOf(version: string): PublishTime;
  /** `dist.tarball` of a listed version, when the registry gives one. */
  tarballOf(version: string): string | null;
  /** The fields of a listed version's manifest that decide what Yarn makes its dependencies (strings only); null when not listed. */
  dependenciesOf(version: string): ManifestDependencies | null;
};

const ISO_8601 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

export class MalformedPackumentError extends Error {}

/**
 * The only place registry data is interpreted. A time that is not a full ISO-8601 timestamp counts
 * as missing rather than being guessed at, so a garbled `time` map can never make a version look old.
 */
export function readPackument(document: unknown): PackumentTimes {
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

  const tarballs = new Map<string, string>();
  for (const [version, manifest] of Object.entries(document.versions))
    if (isRecord(manifest) && isRecord(manifest.dist) && typeof manifest.dist.tarball === `string` && /^https?:\/\//.test(manifest.dist.tarball))
      tarballs.set(version, manifest.dist.tarball);
  const manifests = document.versions;

  return {
    versions,
    distTags,
    hasTimeMap: timeMap !== null,
    timeOf(version) {
      if (!versions.has(version))
        return {kind: `unlisted`};
      const at = times.get(version);
      return at ? {kind: `known`, at} : {kind: `missing`};
    },
    tarballOf(version) {
      return tarballs.get(version) ?? null;
    },
    dependenciesOf(version) {
      const manifest = versions.has(version) ? manifests[version] : null;
      if (!isRecord(manifest))
        return null;
      return {dependencies: stringsOf(manifest.dependencies), optionalDependencies: stringsOf(manifest.optionalDependencies), peerDependencies: stringsOf(manifest.peerDependencies), scripts: stringsOf(manifest.scripts)};
    },
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
