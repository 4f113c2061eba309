import {describe, expect, it} from 'vitest';

import type {TrustEvidence} from '../../sources/rules/trustEvidence';
import {checkTrust, LOCKED_DOWNGRADE_GRACE_MS, rankOf, releaseLineOf, type PublishedVersion, type TrustFact, type TrustSubject, trustFactOf, updatedFromOf} from '../../sources/rules/trust';
import {ago, DAY, HOUR, makePolicy, NOW} from './policyFixture';

const TRUSTED: TrustEvidence = {publisher: true, trustedPublisher: true, provenance: true};
const ATTESTED: TrustEvidence = {publisher: true, trustedPublisher: false, provenance: true};
const TOKEN: TrustEvidence = {publisher: true, trustedPublisher: false, provenance: false};
const NONE: TrustEvidence = {publisher: false, trustedPublisher: false, provenance: false};
/** `_npmUser.trustedPublisher` without an attestation: a trusted publisher from a private repository. */
const PUBLISHER_ONLY: TrustEvidence = {publisher: true, trustedPublisher: true, provenance: false};

const at = (iso: string) => new Date(iso);
const v = (version: string, publishedAt: string | null, evidence: TrustEvidence): PublishedVersion => ({version, publishedAt: publishedAt === null ? null : at(publishedAt), evidence});

describe(`rankOf`, () => {
  it.each<[string, TrustEvidence, number]>([
    [`a trusted publisher with a provenance attestation`, TRUSTED, 2],
    [`a provenance attestation alone`, ATTESTED, 1],
    [`a token publish`, TOKEN, 0],
    [`a trusted publisher without an attestation`, PUBLISHER_ONLY, 0],
    [`nothing recorded`, NONE, 0],
  ])(`ranks %s as %i`, (_, evidence, rank) => {
    expect(rankOf(evidence)).toBe(rank);
  });
});

describe(`releaseLineOf`, () => {
  it.each<[string, string | null]>([
    [`1.14.1`, `1`],
    [`7.5.4`, `7`],
    [`0.30.4`, `0.30`],
    [`0.0.3`, `0.0`],
    [`2.0.0-beta.1`, `2`],
    [`not-a-version`, null],
  ])(`puts %s on line %s`, (version, line) => {
    expect(releaseLineOf(version)).toBe(line);
  });
});

// Shapes of real packuments, as the issue lists them: times and evidence per version.
const AXIOS = [
  v(`0.30.3`, `2026-02-01T00:00:00Z`, TRUSTED),
  v(`0.30.4`, `2026-03-31T01:00:00Z`, TOKEN),
  v(`1.13.3`, `2026-01-20T00:00:00Z`, TOKEN),
  v(`1.13.4`, `2026-02-10T00:00:00Z`, TRUSTED),
  v(`1.14.0`, `2026-03-27T19:01:00Z`, TRUSTED),
  v(`1.14.1`, `2026-03-31T00:21:00Z`, TOKEN),
  v(`1.15.0-rc.1`, `2026-03-20T00:00:00Z`, TRUSTED),
];
const SEMVER = [
  v(`5.7.1`, `2019-08-12T00:00:00Z`, TOKEN),
  v(`6.3.0`, `2019-08-12T00:00:00Z`, TOKEN),
  v(`7.5.4`, `2023-07-07T00:00:00Z`, ATTESTED),
  v(`5.7.2`, `2023-07-10T00:00:00Z`, TOKEN),
  v(`6.3.1`, `2023-07-10T00:00:00Z`, TOKEN),
];
const VITE = [v(`6.4.0`, `2025-10-01T00:00:00Z`, TOKEN), v(`7.1.0`, `2025-10-02T00:00:00Z`, TRUSTED), v(`6.4.1`, `2025-10-20T00:00:00Z`, TOKEN)];
const ESLINT_CONFIG_PRETTIER = [
  v(`8.10.0`, `2023-08-01T00:00:00Z`, TOKEN),
  v(`10.1.5`, `2025-06-01T00:00:00Z`, ATTESTED),
  v(`10.1.6`, `2025-07-18T00:00:00Z`, TOKEN),
  v(`8.10.2`, `2025-07-20T00:00:00Z`, TOKEN),
];
const UNDICI_TYPES = [v(`6.21.0`, `2024-11-01T00:00:00Z`, TOKEN), v(`7.10.0`, `2025-06-01T00:00:00Z`, TRUSTED), v(`6.22.0`, `2025-07-01T00:00:00Z`, TOKEN)];
const MIRROR = [v(`1.14.0`, `2026-03-27T19:01:00Z`, NONE), v(`1.14.1`, `2026-03-31T00:21:00Z`, NONE)];

describe(`trustFactOf`, () => {
  it.each<[string, ReadonlyArray<PublishedVersion>, string, TrustFact]>([
    [`axios 1.14.1 against the trusted 1.14.0 of its line`, AXIOS, `1.14.1`, {kind: `known`, rank: 0, earlier: {version: `1.14.0`, rank: 2, publishedAt: at(`2026-03-27T19:01:00Z`)}}],
    [`axios 0.30.4 against 0.30.3 of its own 0.30 line`, AXIOS, `0.30.4`, {kind: `known`, rank: 0, earlier: {version: `0.30.3`, rank: 2, publishedAt: at(`2026-02-01T00:00:00Z`)}}],
    [`axios 1.13.3, published before the line had evidence`, AXIOS, `1.13.3`, {kind: `known`, rank: 0, earlier: null}],
    [`semver 5.7.2, a maintenance release of an older major after an attested 7.5.4`, SEMVER, `5.7.2`, {kind: `known`, rank: 0, earlier: null}],
    [`semver 6.3.1, likewise`, SEMVER, `6.3.1`, {kind: `known`, rank: 0, earlier: null}],
    [`vite 6.4.1 after a trusted 7.x`, VITE, `6.4.1`, {kind: `known`, rank: 0, earlier: null}],
    [`eslint-config-prettier 8.10.2 after an attested 10.x`, ESLINT_CONFIG_PRETTIER, `8.10.2`, {kind: `known`, rank: 0, earlier: null}],
    [`eslint-config-prettier 10.1.6, which dropped the attestation 10.1.5 had`, ESLINT_CONFIG_PRETTIER, `10.1.6`, {kind: `known`, rank: 0, earlier: {version: `10.1.5`, rank: 1, publishedAt: at(`2025-06-01T00:00:00Z`)}}],
    [`undici-types 6.22.0 after a trusted 7.x`, UNDICI_TYPES, `6.22.0`, {kind: `known`, rank: 0, earlier: null}],
    [`a registry that records no evidence for any version`, MIRROR, `1.14.1`, {kind: `no-evidence`}],
    [`a version the document does not list`, AXIOS, `1.14.2`, {kind: `unknown`, reason: `the registry does not list this version`}],
  ])(`reads %s`, (_, versions, version, fact) => {
    expect(trustFactOf(version, versions)).toEqual(fact);
  });

  it.each<[string, ReadonlyArray<PublishedVersion>, string, string | null]>([
    [`an earlier prerelease sets no bar`, [v(`2.0.0-rc.1`, `2026-01-01T00:00:00Z`, TRUSTED), v(`2.0.0`, `2026-02-01T00:00:00Z`, TOKEN)], `2.0.0`, null],
    [`a higher version published before sets the bar (a token publish of 1.0.9 after a trusted 1.1.0)`, [v(`1.1.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`1.0.9`, `2026-02-01T00:00:00Z`, TOKEN)], `1.0.9`, `1.1.0`],
    [`a higher version published after sets no bar`, [v(`1.0.9`, `2026-01-01T00:00:00Z`, TOKEN), v(`1.1.0`, `2026-02-01T00:00:00Z`, TRUSTED)], `1.0.9`, null],
    [`without publish times, a higher version sets no bar`, [v(`1.1.0`, null, TRUSTED), v(`1.0.9`, null, TOKEN)], `1.0.9`, null],
    [`a lower version sets the bar even when stamped later (a restamped time cannot remove a bar)`, [v(`1.1.0`, `2026-01-01T00:00:00Z`, TOKEN), v(`1.0.9`, `2026-02-01T00:00:00Z`, TRUSTED)], `1.1.0`, `1.0.9`],
    [`a higher version stamped at the same moment sets no bar`, [v(`1.14.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`1.13.7`, `2026-01-01T00:00:00Z`, TOKEN)], `1.13.7`, null],
    [`a lower version stamped at the same moment sets the bar`, [v(`1.14.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`1.14.1`, `2026-01-01T00:00:00Z`, TOKEN)], `1.14.1`, `1.14.0`],
    [`0.x minors are lines of their own`, [v(`0.29.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`0.30.0`, `2026-02-01T00:00:00Z`, TOKEN)], `0.30.0`, null],
    [`a lower major sets no bar for a new major`, [v(`1.9.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`2.0.0`, `2026-02-01T00:00:00Z`, TOKEN)], `2.0.0`, null],
    [`without publish times, semver order decides`, [v(`1.0.0`, null, TRUSTED), v(`1.0.1`, null, TOKEN)], `1.0.1`, `1.0.0`],
    [`the best rank wins over the closest version`, [v(`1.0.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`1.0.1`, `2026-01-02T00:00:00Z`, ATTESTED), v(`1.0.2`, `2026-01-03T00:00:00Z`, TOKEN)], `1.0.2`, `1.0.0`],
    [`among equal ranks, the closest version`, [v(`1.0.0`, `2026-01-01T00:00:00Z`, TRUSTED), v(`1.0.1`, `2026-01-02T00:00:00Z`, TRUSTED), v(`1.0.2`, `2026-01-03T00:00:00Z`, TOKEN)], `1.0.2`, `1.0.1`],
  ])(`%s`, (_, versions, version, earlier) => {
    const fact = trustFactOf(version, versions);
    expect(fact.kind).toBe(`known`);
    expect(fact.kind === `known` ? fact.earlier?.version ?? null : undefined).toBe(earlier);
  });
});

describe(`updatedFromOf`, () => {
  it.each<[string, string, Array<string>, Array<string>, string | null]>([
    [`the baseline version of the same line`, `1.14.1`, [`1.14.0`], [], `1.14.0`],
    [`the newest of the same line when the baseline has several lines`, `5.7.2`, [`5.7.1`, `7.5.4`], [`7.5.4`], `5.7.1`],
    [`the newest lower version for a new major`, `2.0.0`, [`1.14.0`, `0.30.3`], [], `1.14.0`],
    [`none for a version below every line the baseline has`, `6.3.1`, [`7.5.4`], [], null],
    [`none for a rollback to a lower version`, `1.13.0`, [`1.14.0`], [], null],
    [`none for a version added beside a baseline version the graph keeps`, `2.0.0`, [`1.0.0`], [`1.0.0`], null],
    [`the replaced one when another lower one stays`, `2.0.0`, [`1.0.0`, `1.5.0`], [`1.0.0`], `1.5.0`],
    [`none without a baseline version`, `1.0.0`, [], [], null],
  ])(`takes %s`, (_, version, baseline, kept, expected) => {
    expect(updatedFromOf(version, baseline, new Set([version, ...kept]))).toBe(expected);
  });
});

const known = (rank: 0 | 1 | 2, earlier: {version: string, rank: 1 | 2} | null = null): TrustFact => ({kind: `known`, rank, earlier: earlier && {...earlier, publishedAt: ago(10 * DAY)}});
const subject = (fields: Partial<TrustSubject> = {}): TrustSubject => ({
  name: `axios`, version: `1.14.1`, locked: false, publishedAt: ago(2 * HOUR), fact: known(0, {version: `1.14.0`, rank: 2}), updatedFrom: null, ...fields,
});

describe(`checkTrust`, () => {
  it.each<[string, TrustSubject, ReturnType<typeof makePolicy>, Array<{kind: string, severity: string, against?: string, previous?: string, oldLocked?: boolean, detail?: string | null}>]>([
    [`a version below its line's best earlier version`, subject(), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, against: `release-line`, previous: `1.14.0`, oldLocked: false}]],
    [`an attestation alone after a trusted publisher`, subject({fact: known(1, {version: `1.14.0`, rank: 2})}), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, against: `release-line`, previous: `1.14.0`}]],
    [`a version as well published as its line`, subject({fact: known(2, {version: `1.14.0`, rank: 2})}), makePolicy(), []],
    [`a version below the baseline version it replaced, on another line`, subject({version: `2.0.0`, fact: known(0), updatedFrom: {version: `1.14.0`, fact: known(2)}}), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, against: `baseline`, previous: `1.14.0`}]],
    [`an update from a version ranked no higher`, subject({fact: known(0), updatedFrom: {version: `1.13.3`, fact: known(0)}}), makePolicy(), []],
    [`a baseline version the registry no longer lists`, subject({fact: known(0), updatedFrom: {version: `1.13.3`, fact: {kind: `unknown`, reason: `gone`}}}), makePolicy(), []],
    [`a freshly published downgrade pinned by the lockfile`, subject({locked: true, publishedAt: ago(3 * HOUR)}), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, oldLocked: false}]],
    [`a locked downgrade just inside the grace`, subject({locked: true, publishedAt: ago(LOCKED_DOWNGRADE_GRACE_MS)}), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, oldLocked: false}]],
    [`an old locked downgrade, as a warning`, subject({locked: true, publishedAt: ago(LOCKED_DOWNGRADE_GRACE_MS + HOUR)}), makePolicy(), [{kind: `trust-downgrade`, severity: `warning`, oldLocked: true}]],
    [`a locked downgrade with no publish time, as an error`, subject({locked: true, publishedAt: null}), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, oldLocked: false}]],
    [`an old downgrade a command resolves anew, as an error`, subject({publishedAt: ago(400 * DAY)}), makePolicy(), [{kind: `trust-downgrade`, severity: `error`, oldLocked: false}]],
    [`a downgrade under warn`, subject(), makePolicy({trustPolicy: `warn`}), [{kind: `trust-downgrade`, severity: `warning`}]],
    [`a downgrade under off`, subject(), makePolicy({trustPolicy: `off`}), []],
    [`a downgrade exempted for its version`, subject(), makePolicy({trustExempt: [`axios@1.14.1`]}), []],
    [`a downgrade whose exemption pins another version`, subject(), makePolicy({trustExempt: [`axios@1.14.0`]}), [{kind: `trust-downgrade`, severity: `error`}]],
    [`a registry with no evidence`, subject({fact: {kind: `no-evidence`}}), makePolicy(), []],
    [`a document that could not be read, failing closed`, subject({fact: {kind: `unknown`, reason: `the registry answered 500`}}), makePolicy(), [{kind: `trust-unknown`, severity: `error`, detail: `the registry answered 500`}]],
    [`a document that could not be read, under warn`, subject({fact: {kind: `unknown`, reason: `the registry answered 500`}}), makePolicy({trustPolicy: `warn`}), [{kind: `trust-unknown`, severity: `warning`}]],
  ])(`reports %s`, (_, trustSubject, policy, expected) => {
    const findings = checkTrust([trustSubject], policy, NOW);
    expect(findings.map(finding => ({
      kind: finding.kind,
      severity: finding.severity,
      ...(`against` in (expected[0] ?? {}) ? {against: finding.trust?.against} : {}),
      ...(`previous` in (expected[0] ?? {}) ? {previous: finding.previousVersion} : {}),
      ...(`oldLocked` in (expected[0] ?? {}) ? {oldLocked: finding.trust?.oldLocked} : {}),
      ...(`detail` in (expected[0] ?? {}) ? {detail: finding.detail} : {}),
    }))).toEqual(expected);
    for (const finding of findings)
      expect(finding.rule).toBe(`trust`);
  });

  it(`names the earlier version, its rank and when it was published`, () => {
    const [finding] = checkTrust([subject()], makePolicy(), NOW);
    expect(finding.previousVersion).toBe(`1.14.0`);
    expect(finding.trust).toEqual({rank: 0, previousRank: 2, previousPublishedAt: ago(10 * DAY), against: `release-line`, oldLocked: false});
    expect(finding.publishedAt).toEqual(ago(2 * HOUR));
    expect(finding.ageMs).toBe(2 * HOUR);
  });
});
