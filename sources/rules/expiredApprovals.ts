import {matchesPattern, type Pattern} from '../policy/pattern';
import {isApprovable, LIST_OF_RULE, type Policy} from '../policy/policy';
import type {Finding, Rule} from './finding';

/** What a list entry is judged against: a finding, or what a blocked install remembered of one (no range). */
export type ApprovalTarget = {rule: Rule, name: string, version: string | null, range?: string | null};

/**
 * Whether an entry of the target's rule's list would let it through. An entry naming a non-registry
 * source approves that very source as a new sub-dependency, and nothing else.
 */
export function entryCovers(pattern: Pattern, target: ApprovalTarget): boolean {
  if (!isApprovable(target.rule) || !pattern.name.test(target.name))
    return false;
  if (pattern.source !== null)
    return target.rule === `new-dependency` && (target.range ?? pattern.source) === pattern.source;
  return target.version === null || pattern.range === null || matchesPattern(pattern, target.name, target.version);
}

/** The finding, saying which expired entry of its rule's list would have approved it, and when that entry expired. */
export function noteExpiredApproval(finding: Finding, policy: Policy): Finding {
  if (!isApprovable(finding.rule))
    return finding;
  const setting = LIST_OF_RULE[finding.rule];
  const expired = policy.expiredEntries.find(entry => entry.setting === setting && entryCovers(entry.pattern, finding));
  return expired === undefined ? finding : {...finding, expiredApproval: {setting, entry: expired.text, expiredAt: expired.expiresAt!}};
}
