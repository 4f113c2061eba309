import {formatUtc} from './duration';
import {parsePattern, type Pattern} from './pattern';

/** The settings that hold lists of entries approving what a rule would stop. */
export type ListSetting = `quarantineExemptPackages` | `quarantineApprovedDependencies` | `quarantineApprovedScripts` | `quarantineTrustExemptPackages`;

/** One entry of a policy list: a pattern, and the moment after which it stops counting (null: never). */
export type ListEntry = {
  /** The entry as `.yarnrc.yml` spells it. */
  text: string;
  pattern: Pattern;
  expiresAt: Date | null;
};

/** How every list spells an expiry, readable in review: `axios@1.15.3 until 2026-12-08 12:00 UTC`. */
const UNTIL = /^(.*\S)\s+until\s+(\S.*)$/;

/** `axios@1.15.3`, or `axios@1.15.3 until <moment>`; otherwise which part is malformed. */
export function parseListEntry(text: string): ListEntry | {malformed: `pattern` | `moment`} {
  const match = UNTIL.exec(text.trim());
  const pattern = parsePattern(match ? match[1] : text);
  if (pattern === null)
    return {malformed: `pattern`};
  if (!match)
    return {text, pattern, expiresAt: null};
  const expiresAt = parseMoment(match[2]);
  return expiresAt === null ? {malformed: `moment`} : {text, pattern, expiresAt};
}

/** An entry stops counting at its expiry, to the millisecond of the command's one `now`. */
export function isExpired(entry: {expiresAt: Date | null}, now: Date): boolean {
  return entry.expiresAt !== null && entry.expiresAt.getTime() <= now.getTime();
}

export function formatListEntry(patternText: string, expiresAt: Date | null): string {
  return expiresAt === null ? patternText : `${patternText.trim()} until ${formatUtc(expiresAt)}`;
}

export const MOMENT_FORMS = `a date (2026-12-08, meaning 00:00 UTC), a UTC time as entries spell it (2026-12-08 12:00 UTC), or an ISO 8601 time with Z or an offset (2026-12-08T12:00Z, 2026-12-08T14:00+02:00)`;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const UTC_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}) UTC$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses the moment an approval expires. A time without a zone is refused: read on a machine in
 * another zone it would expire hours earlier or later than the reviewer read it.
 */
export function parseMoment(text: string): Date | null {
  const trimmed = text.trim();
  const date = DATE.exec(trimmed);
  if (date)
    return exactUtc(+date[1], +date[2], +date[3], 0, 0, 0, 0);
  const utc = UTC_TIME.exec(trimmed);
  if (utc)
    return exactUtc(+utc[1], +utc[2], +utc[3], +utc[4], +utc[5], 0, 0);
  const iso = ISO_TIME.exec(trimmed);
  if (!iso)
    return null;
  const offsetMinutes = iso[7] === `Z` ? 0 : (iso[7].startsWith(`-`) ? -1 : 1) * (Number(iso[7].slice(1, 3)) * 60 + Number(iso[7].slice(4, 6)));
  if (Math.abs(offsetMinutes) > 18 * 60)
    return null;
  const local = exactUtc(+iso[1], +iso[2], +iso[3], +iso[4], +iso[5], Number(iso[6] ?? 0), 0);
  return local === null ? null : new Date(local.getTime() - offsetMinutes * 60_000);
}

/** The moment, or null when a field is out of range (`2026-02-30`, `24:00`): Date would roll it over silently. */
function exactUtc(year: number, month: number, day: number, hours: number, minutes: number, seconds: number, ms: number): Date | null {
  const date = new Date(Date.UTC(year, month - 1, day, hours, minutes, seconds, ms));
  const exact = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
    && date.getUTCHours() === hours && date.getUTCMinutes() === minutes && date.getUTCSeconds() === seconds;
  return exact ? date : null;
}
