const UNIT_MS: Record<string, number> = {
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const DURATION = /^(\d+(?:\.\d+)?)\s*([mhdw]?)$/;

/** Parses `90m`, `12h`, `3d`, `1w` or a bare number of minutes; returns milliseconds or null. */
export function parseDuration(text: string): number | null {
  const match = DURATION.exec(text.trim());
  if (!match)
    return null;

  const ms = Number(match[1]) * UNIT_MS[match[2] || `m`];
  return Number.isSafeInteger(Math.round(ms)) ? Math.round(ms) : null;
}

/** Renders a length of time the way users write it back: `3d`, `2d 4h`, `5h 12m`, `45m`, `<1m`. */
export function formatDuration(ms: number): string {
  if (ms < 60_000)
    return `<1m`;

  const minutes = Math.floor(ms / 60_000);
  const weeksExact = minutes % (7 * 24 * 60) === 0;
  if (weeksExact)
    return `${minutes / (7 * 24 * 60)}w`;

  const days = Math.floor(minutes / (24 * 60));
  const hours = Math.floor(minutes / 60) % 24;
  const rest = minutes % 60;

  const parts: Array<string> = [];
  if (days > 0)
    parts.push(`${days}d`);
  if (hours > 0 && parts.length < 2)
    parts.push(`${hours}h`);
  if (rest > 0 && parts.length < 2 && days === 0)
    parts.push(`${rest}m`);

  return parts.join(` `) || `0m`;
}

/**
 * How long ago a version was published: `3h ago`. A publish time ahead of the clock (a registry's
 * or a machine's clock is wrong) says so, never `<1m ago`, which would read as freshly published.
 */
export function formatAge(ageMs: number): string {
  return ageMs < 0 ? `${formatDuration(-ageMs)} in the future` : `${formatDuration(ageMs)} ago`;
}

/** The JSON fields of an age: `age` is null for a time in the future, which `publishedInFuture` says, so no parser reads it as young. */
export function ageFields(ageMs: number | null) {
  return {
    age: ageMs === null || ageMs < 0 ? null : formatDuration(ageMs),
    ageMs,
    publishedInFuture: ageMs !== null && ageMs < 0,
  };
}

/** `2026-04-03 00:21 UTC`: minutes are what a reviewer acts on, and UTC avoids ambiguity in CI logs. */
export function formatUtc(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace(`T`, ` `)} UTC`;
}
