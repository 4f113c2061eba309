import {type Configuration, formatUtils, MessageName, type Report} from '@yarnpkg/core';

import {formatAge, formatDuration, formatUtc} from '../policy/duration';
import type {ListSetting} from '../policy/listEntry';
import type {Policy, PolicyListEntry} from '../policy/policy';
import {withoutColors} from './reporting';

/** How far ahead `check` looks for approvals about to lapse: a week leaves a working week to renew them. */
export const EXPIRY_NOTICE_MS = 7 * 24 * 60 * 60 * 1000;

const APPROVE_FLAG: Record<ListSetting, string> = {
  quarantineExemptPackages: `--release-age`,
  quarantineApprovedDependencies: `--new-dependency`,
  quarantineApprovedScripts: `--scripts`,
  quarantineTrustExemptPackages: `--trust`,
};

/** Entries that have expired, then those expiring within the notice period, soonest first. */
export function approvalsToMention(policy: Policy, now: Date): Array<PolicyListEntry & {expired: boolean}> {
  const soon = policy.expiringEntries.filter(entry => entry.expiresAt!.getTime() - now.getTime() <= EXPIRY_NOTICE_MS);
  return [
    ...policy.expiredEntries.map(entry => ({...entry, expired: true})),
    ...soon.map(entry => ({...entry, expired: false})),
  ].sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime());
}

/** One warning per expired entry, or entry about to expire, with how to renew or remove it; returns the lines. */
export function reportApprovalExpiries(configuration: Configuration, policy: Policy, now: Date, report: Report, {json}: {json: boolean}): Array<string> {
  const lines: Array<string> = [];
  for (const entry of approvalsToMention(policy, now)) {
    const expiresAt = entry.expiresAt!;
    if (json) {
      report.reportJson({type: `approval-expiry`, setting: entry.setting, entry: entry.text, pattern: entry.pattern.text, expiresAt: expiresAt.toISOString(), expired: entry.expired});
      continue;
    }
    const code = (text: string) => formatUtils.pretty(configuration, text, formatUtils.Type.CODE);
    const where = `${formatUtils.pretty(configuration, entry.setting, formatUtils.Type.SETTING)}: ${code(entry.text)}`;
    const renew = code(`yarn quarantine approve ${APPROVE_FLAG[entry.setting]} ${entry.pattern.text} --for 1w`);
    const line = entry.expired
      ? `${where} expired at ${formatUtc(expiresAt)} (${formatAge(now.getTime() - expiresAt.getTime())}) and approves nothing any more. Fix: renew it with ${renew} if it is still needed, or remove it with ${code(`yarn quarantine prune`)}`
      : `${where} expires at ${formatUtc(expiresAt)}, in ${formatDuration(expiresAt.getTime() - now.getTime())}. Fix: renew it with ${renew} if it is still needed, or let it lapse`;
    report.reportWarning(MessageName.UNNAMED, line);
    lines.push(withoutColors(line));
  }
  return lines;
}
