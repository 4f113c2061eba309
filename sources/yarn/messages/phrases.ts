import {type Configuration, formatUtils, structUtils} from '@yarnpkg/core';

import {formatAge, formatDuration, formatUtc} from '../../policy/duration';
import type {Finding} from '../../rules/finding';
import {jsrNameOf} from '../../rules/jsr';
import type {RegistryProtocol} from '../../rules/source';
import type {SettingName} from '../../settings';

/** The parts a finding's line is made of, each through Yarn's pretty-printer for its kind of value. */
export type Phrases = ReturnType<typeof phrasesOf>;

export function phrasesOf(configuration: Configuration, finding: Finding) {
  const pretty = (value: string, type: string) => formatUtils.pretty(configuration, value, type);
  const code = (text: string) => pretty(text, formatUtils.Type.CODE);
  // A `jsr:` package is shown, and re-resolved, under the name the project declares it by.
  const jsrName = finding.protocol === `jsr:` ? jsrNameOf(finding.name) : null;
  const ident = structUtils.parseIdent(jsrName ?? finding.name);
  const protocol = jsrName !== null ? `jsr:` : `npm:`;
  const locator = structUtils.prettyLocator(configuration, structUtils.makeLocator(ident, `${protocol}${finding.version ?? `unknown`}`));
  return {
    code,
    setting: (name: SettingName) => formatUtils.pretty(configuration, name, formatUtils.Type.SETTING),
    name: (name: string) => pretty(name, formatUtils.Type.NAME),
    range: (range: string) => pretty(range, formatUtils.Type.RANGE),
    version: (version: string | null) => pretty(version ?? `unknown`, formatUtils.Type.REFERENCE),
    path: (file: string) => pretty(file, formatUtils.Type.PATH),
    url: (url: string) => pretty(url, formatUtils.Type.URL),
    /** The version in the graph: `lib@npm:1.0.0`, `@std/path@jsr:1.0.0`. */
    subject: locator,
    /** What was being resolved, when the finding knows the range: `lib@npm:^1.0.0`. */
    requested: () => finding.range === null
      ? locator
      : structUtils.prettyDescriptor(configuration, structUtils.makeDescriptor(ident, `${protocol}${finding.range}`)),
    /** A dependency as a manifest declares it, whatever its protocol: `lib@https://host/lib.tgz`. */
    declared: () =>
      structUtils.prettyDescriptor(configuration, structUtils.makeDescriptor(structUtils.parseIdent(finding.name), finding.range ?? ``)),
    locked: finding.locked ? ` (locked)` : ``,
    via: finding.path.length > 1 ? ` (via ${finding.path.join(` > `)})` : ``,
    published: finding.publishedAt === null ? `` : `published ${formatUtc(finding.publishedAt)}, ${formatAge(finding.ageMs ?? 0)}`,
    eligible: finding.eligibleAt === null ? `` : `eligible at ${pretty(formatUtc(finding.eligibleAt), `magenta`)}`,
    period: pretty(formatDuration(finding.periodMs), `magenta`),
    /** Re-resolves the package, under the name the project declares it by. */
    up: code(`yarn up -R ${jsrName ?? finding.name}`),
  };
}

/** A registry version under the name the project declares it by: `lib@npm:1.0.0`, `@std/path@jsr:1.0.0` (the npm package `@jsr/std__path`). */
export function prettyRegistryVersion(configuration: Configuration, name: string, protocol: RegistryProtocol, version: string): string {
  const jsrName = protocol === `jsr:` ? jsrNameOf(name) : null;
  return structUtils.prettyLocator(configuration, structUtils.makeLocator(structUtils.parseIdent(jsrName ?? name), `${jsrName !== null ? `jsr:` : `npm:`}${version}`));
}
