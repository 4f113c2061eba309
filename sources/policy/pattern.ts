import semver from 'semver';

export type Pattern = {
  /** The entry as the user wrote it, echoed back in messages. */
  source: string;
  name: RegExp;
  range: semver.Range | null;
};

const NAME_GLOB = /^(?:@[a-zA-Z0-9*?~][a-zA-Z0-9*?~._-]*\/)?[a-zA-Z0-9*?~][a-zA-Z0-9*?~._-]*$/;

/**
 * Parses `name`, `@scope/*`, `eslint-plugin-*`, each optionally followed by `@<semver range>`:
 * the grammar of Yarn's `npmPreapprovedPackages`, so entries can move between the two lists.
 */
export function parsePattern(source: string): Pattern | null {
  const text = source.trim();
  const versionAt = text.indexOf(`@`, text.startsWith(`@`) ? 1 : 0);
  const namePart = versionAt === -1 ? text : text.slice(0, versionAt);
  const rangePart = versionAt === -1 ? null : text.slice(versionAt + 1);

  if (!NAME_GLOB.test(namePart) || rangePart?.trim() === ``)
    return null;

  let range: semver.Range | null = null;
  if (rangePart !== null) {
    try {
      range = new semver.Range(rangePart);
    } catch {
      return null;
    }
  }

  return {source, name: globToRegExp(namePart), range};
}

export function matchesPattern(pattern: Pattern, name: string, version: string): boolean {
  if (!pattern.name.test(name))
    return false;
  if (pattern.range === null)
    return true;
  return semver.valid(version) !== null && pattern.range.test(version);
}

export function findMatchingPattern(patterns: ReadonlyArray<Pattern>, name: string, version: string): Pattern | null {
  return patterns.find(pattern => matchesPattern(pattern, name, version)) ?? null;
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split(/(\*\*|\*|\?)/)
    .map(part => {
      switch (part) {
        case `**`: return `.*`;
        case `*`: return `[^/]*`;
        case `?`: return `[^/]`;
        default: return part.replace(/[.+^${}()|[\]\\]/g, `\\$&`);
      }
    })
    .join(``);
  return new RegExp(`^${body}$`);
}
