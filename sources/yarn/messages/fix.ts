import type {Finding} from '../../rules/finding';
import type {Phrases} from './phrases';

/** `. Fix: a`, `. Fix: a, or b`, `. Fix: a, b, or c`: the ways out a reviewer has, the most direct first. */
export function fix(...alternatives: Array<string>): string {
  const last = alternatives.length - 1;
  return `. Fix: ${alternatives.map((alternative, index) => index > 0 && index === last ? `or ${alternative}` : alternative).join(`, `)}`;
}

/** `run yarn up -R lib to ...` */
export function runUp(say: Phrases, purpose: string): string {
  return `run ${say.up} ${purpose}`;
}

/** Exempts the version from the release-age rule, and (`scope`) offers its whole scope: a private registry often serves no publish times. */
export function exemptIt(say: Phrases, finding: Finding, {scope = false}: {scope?: boolean} = {}): string {
  const wholeScope = scope && isScoped(finding.name)
    ? `, or its whole scope with ${say.code(`yarn quarantine approve --release-age '${scopeOf(finding.name)}/*'`)}`
    : ``;
  const command = say.code(`yarn quarantine approve --release-age ${finding.name}@${finding.version ?? `*`}`);
  return `exempt it with ${command}${wholeScope} (${say.setting(`quarantineExemptPackages`)})`;
}

/** Lets the package in as a new sub-dependency; `pattern` is what to approve (a non-registry source is approved as that very source). */
export function approveIt(say: Phrases, finding: Finding, pattern: string): string {
  // Optional platform packages come as a family under one scope: approving the scope covers every platform's.
  const wholeScope = isScoped(finding.name) && finding.optional
    ? ` (or ${say.code(`yarn quarantine approve '${scopeOf(finding.name)}/*'`)} for the whole scope)`
    : ``;
  const command = say.code(`yarn quarantine approve ${pattern}`);
  return ifYouTrustIt(`run ${command}${wholeScope}, which adds it to ${say.setting(`quarantineApprovedDependencies`)}`);
}

export function ifYouTrustIt(action: string): string {
  return `if you trust it, ${action}`;
}

function isScoped(name: string) {
  return name.startsWith(`@`);
}

function scopeOf(name: string) {
  return name.split(`/`)[0];
}
