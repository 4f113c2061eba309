import {parsePattern} from '../../sources/policy/pattern';
import type {Policy} from '../../sources/policy/policy';

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const NOW = new Date(`2026-03-31T03:00:00.000Z`);

export const ago = (ms: number) => new Date(NOW.getTime() - ms);

export function makePolicy(overrides: Partial<Omit<Policy, `exemptPackages` | `approvedDependencies` | `approvedScripts` | `trustExemptPackages`>> & {exempt?: Array<string>, approved?: Array<string>, approvedScripts?: Array<string>, trustExempt?: Array<string>} = {}): Policy {
  const {exempt = [], approved = [], approvedScripts = [], trustExempt = [], ...rest} = overrides;
  return {
    periodMs: 3 * DAY,
    periodText: `3d`,
    lockfile: `verify`,
    missingPublishTime: `reject`,
    newDependencies: `reject`,
    installScripts: `reject`,
    trustPolicy: `no-downgrade`,
    setOutsideProject: [],
    expiredEntries: [],
    expiringEntries: [],
    ...rest,
    exemptPackages: exempt.map(source => parsePattern(source)!),
    approvedDependencies: approved.map(source => parsePattern(source)!),
    approvedScripts: approvedScripts.map(source => parsePattern(source)!),
    trustExemptPackages: trustExempt.map(source => parsePattern(source)!),
  };
}
