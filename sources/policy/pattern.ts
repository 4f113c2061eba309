import semver from 'semver';

export type Pattern = {
  /** The entry as the user wrote it, echoed back in messages. */
  text: string;
  name: RegExp;
  range: semver.Range | null;
  /** `name@<git or tarball URL, file:, exec:, ...>`: that very source, and nothing from the registry. */
  source: string | null;
};

const NAME_GLOB = /^(?:@[a-zA-Z0-9*?~][a-zA-Z0-9*?~._-]*\/)?[a-zA-Z0-9*?~][a-zA-Z0-9*?~._-]*$/;
/** A range with a protocol of its own or a path: a source outside the registry. Registry protocols are ranges, not sources. */
const SOURCE = /^(?!(?:npm|jsr|workspace|patch):)(?:[a-zA-Z][a-zA-Z0-9+.-]*:|\.{0,2}\/)\S+$/;

/**
 * Parses `name`, `@scope/*`, `eslint-plugin-*`, each optionally followed by `@<semver range>`:
 * the grammar of Yarn's `npmPreapprovedPackages`, so entries can move between the two lists. A
 * non-registry source may follow the `@` instead (`payload@https://host/payload-1.0.0.tgz`,
 * `tool@git+https://host/tool.git#v1`): such an entry approves that very source only.
 */
export function parsePattern(text: string): Pattern | null {
  const trimmed = text.trim();
  const versionAt = trimmed.indexOf(`@`, trimmed.startsWith(`@`) ? 1 : 0);
  const namePart = versionAt === -1 ? trimmed : trimmed.slice(0, versionAt);
  const rangePart = versionAt === -1 ? null : trimmed.slice(versionAt + 1);

  if (!NAME_GLOB.test(namePart) || rangePart?.trim() === ``)
    return null;
  if (rangePart !== null && SOURCE.test(rangePart))
    return {text, name: globToRegExp(namePart), range: null, source: rangePart};

  let range: semver.Range | null = null;
  if (rangePart !== null) {
    try {
      range = new semver.Range(rangePart);
    } catch {
      return null;
    }
  }

  return {text, name: globToRegExp(namePart), range, source: null};
}

/** Whether the pattern covers this registry version. A pattern naming a source covers no registry version. */
export function matchesPattern(pattern: Pattern, name: string, version: string): boolean {
  if (pattern.source !== null || !pattern.name.test(name))
    return false;
  if (pattern.range === null)
    return true;
  return semver.valid(version) !== null && pattern.range.test(version);
}

/** Whether an entry approves this very non-registry source (as declared, without Yarn's bindings). */
export function approvesSource(patterns: ReadonlyArray<Pattern>, name: string, range: string): boolean {
  return patterns.some(pattern => pattern.source !== null && pattern.source === range && pattern.name.test(name));
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

/** `name@1.2.3`: one version of one package, as install-script approvals must be. */
export function pinnedVersionOf(pattern: Pattern): {name: string, version: string} | null {
  const at = pattern.text.indexOf(`@`, pattern.text.startsWith(`@`) ? 1 : 0);
  if (at === -1 || pattern.source !== null)
    return null;
  const name = pattern.text.slice(0, at).trim();
  const version = pattern.text.slice(at + 1).trim();
  return /[*?]/.test(name) || semver.valid(version) !== version ? null : {name, version};
}
