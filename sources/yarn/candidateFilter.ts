import {type Descriptor, type Locator, type Package, type ResolveOptions, MessageName, ReportError, semverUtils, structUtils} from '@yarnpkg/core';
import {NpmSemverResolver, NpmTagResolver} from '@yarnpkg/plugin-npm';
import semver from 'semver';

import {findMatchingPattern} from '../policy/pattern';
import {chooseCandidates, chooseTagFallback, type CandidateChoice} from '../rules/candidates';
import type {RegistryProtocol} from '../rules/source';
import {npmSelectorOf} from './packageSource';
import {formatFinding} from './reporting';
import {sessionFor, type Session} from './session';

type GetCandidates = (descriptor: Descriptor, dependencies: Record<string, Package>, opts: ResolveOptions) => Promise<Array<Locator>>;

const WRAPPED = Symbol.for(`yarn-plugin-quarantine/candidate-filter`);
/** Set on the options Yarn's jsr resolver passes down to the npm resolvers it resolves through. */
const VIA_JSR = Symbol.for(`yarn-plugin-quarantine/via-jsr`);
const NPM_PROTOCOL = `npm:`;

/**
 * New resolutions never pick a quarantined version when an eligible one satisfies the range. The
 * builtin resolvers always take precedence over a plugin's, so their prototypes are wrapped; the
 * plugin factory may run more than once per process, hence the marker. Yarn's jsr resolver (4.9+)
 * resolves `jsr:` ranges through these same npm resolvers, on the `@jsr/` package; it is wrapped
 * only to say so, so that the lines name the range as the project declares it.
 */
export function installCandidateFilter() {
  wrap(NpmSemverResolver.prototype, filterSemverCandidates);
  wrap(NpmTagResolver.prototype, filterTagCandidates);
  const jsrResolver = builtinJsrResolver();
  if (jsrResolver !== null)
    wrap(jsrResolver.prototype, async (original, self, descriptor, dependencies, opts) => await original.call(self, descriptor, dependencies, {...opts, [VIA_JSR]: true} as ResolveOptions));
}

/** The running Yarn's own jsr resolver; null before Yarn 4.9, which has no `jsr:` protocol. */
function builtinJsrResolver(): {prototype: {getCandidates: GetCandidates}} | null {
  try {
    const jsr = require(`@yarnpkg/plugin-jsr`) as {default?: {resolvers?: Array<{prototype: {getCandidates: GetCandidates}}>}};
    return jsr.default?.resolvers?.[0] ?? null;
  } catch {
    return null;
  }
}

function protocolOf(opts: ResolveOptions): RegistryProtocol {
  return (opts as ResolveOptions & {[VIA_JSR]?: true})[VIA_JSR] ? `jsr:` : NPM_PROTOCOL;
}

function wrap(prototype: {getCandidates: GetCandidates}, filter: (original: GetCandidates, self: unknown, ...args: Parameters<GetCandidates>) => Promise<Array<Locator>>) {
  const target = prototype as {getCandidates: GetCandidates & {[WRAPPED]?: true}};
  if (target.getCandidates[WRAPPED])
    return;

  const original = target.getCandidates;
  const wrapped = async function (this: unknown, ...args: Parameters<GetCandidates>) {
    const candidates = await filter(original, this, ...args);
    prefetchTrustDocument(sessionFor(args[2].project), candidates[0]);
    return candidates;
  } as GetCandidates & {[WRAPPED]?: true};
  wrapped[WRAPPED] = true;
  target.getCandidates = wrapped;
}

/**
 * The trust-downgrade rule reads the registry's own document of every version it judges, once
 * resolution is over. Starting that read as soon as a resolver has chosen a version (the first
 * candidate is the one Yarn takes) lets it overlap the rest of the resolution.
 */
function prefetchTrustDocument(session: Session, chosen: Locator | undefined) {
  // Only while the project resolves: `yarn up -i` asks resolvers for candidates it may never install.
  if (chosen === undefined || !session.resolving || session.policy.trustPolicy === `off`)
    return;
  try {
    const range = structUtils.parseRange(chosen.reference);
    if (range.protocol !== NPM_PROTOCOL || range.source !== null || semver.valid(range.selector) === null)
      return;
    if (findMatchingPattern(session.policy.trustExemptPackages, structUtils.stringifyIdent(chosen), range.selector) === null)
      session.publishTimes.prefetchTrustOf(chosen, range.selector);
  } catch {
    // A head start is never worth failing a resolution that worked: the rule reads the document anyway.
  }
}

async function filterSemverCandidates(original: GetCandidates, self: unknown, descriptor: Descriptor, dependencies: Record<string, Package>, opts: ResolveOptions) {
  const session = sessionFor(opts.project);
  if (session.policy.periodMs === 0)
    return await original.call(self, descriptor, dependencies, opts);

  const range = semverUtils.validRange(rangeOf(descriptor));
  const candidates = await callOriginal(original, self, descriptor, dependencies, opts);
  const packument = await session.publishTimes.packument(descriptor);
  const withTime = (version: string) => ({version, publishTime: packument.timeOf(version)});
  const satisfying = [...packument.versions].filter(version => range !== null && semver.valid(version) !== null && range.test(version)).sort(semver.rcompare);

  if (candidates instanceof Error || candidates.length === 0) {
    // Yarn's own gate (4.10+) may have dropped every candidate, by throwing or (before 4.13) by
    // returning none: whether this policy explains the failure is decided from its own facts.
    const choice = chooseCandidates(structUtils.stringifyIdent(descriptor), rangeOf(descriptor), satisfying.map(withTime), session.policy, session.now);
    if (choice.failure !== null)
      return settle(session, choice, opts);
    if (candidates instanceof Error)
      throw candidates;
    return candidates;
  }

  const versions = candidates.map(locator => versionOf(locator));
  const withheld = satisfying.filter(version => semver.gt(version, versions[0]));
  const choice = chooseCandidates(structUtils.stringifyIdent(descriptor), rangeOf(descriptor), versions.map(withTime), session.policy, session.now, withheld.map(withTime));

  settle(session, choice, opts);
  const eligible = new Set(choice.eligible);
  return candidates.filter((_, index) => eligible.has(versions[index]));
}

async function filterTagCandidates(original: GetCandidates, self: unknown, descriptor: Descriptor, dependencies: Record<string, Package>, opts: ResolveOptions) {
  const session = sessionFor(opts.project);
  if (session.policy.periodMs === 0)
    return await original.call(self, descriptor, dependencies, opts);

  const candidates = await callOriginal(original, self, descriptor, dependencies, opts);
  const packument = await session.publishTimes.packument(descriptor);
  const tag = rangeOf(descriptor);
  const tagged = packument.distTags[tag];
  if (typeof tagged === `undefined`) {
    if (candidates instanceof Error)
      throw candidates;
    return candidates;
  }

  const choice = chooseTagFallback(structUtils.stringifyIdent(descriptor), tag, tagged, [...packument.versions].map(version => ({version, publishTime: packument.timeOf(version)})), session.policy, session.now);
  if (choice.failure !== null)
    return settle(session, choice, opts);
  if (candidates instanceof Error)
    throw candidates;
  // Yarn's own gate, stricter than this policy, left nothing: its refusal stands.
  if (candidates.length === 0)
    return candidates;

  // Yarn's own gate may already have fallen back; a version it chose that this policy accepts stays.
  const chosen = versionOf(candidates[0]);
  if (choice.eligible.includes(chosen)) {
    settle(session, {...choice, heldBack: choice.heldBack.map(finding => ({...finding, usedVersion: chosen}))}, opts);
    return candidates;
  }

  settle(session, choice, opts);

  // Resolving the chosen version as an exact range yields a locator bound exactly as Yarn binds it.
  const exact = structUtils.makeDescriptor(descriptor, `${NPM_PROTOCOL}${choice.eligible[0]}`);
  return await opts.resolver.getCandidates(exact, dependencies, opts);
}

/**
 * Yarn's own gate (4.13+) throws when it quarantines every candidate. Any failure is kept for the
 * caller, who explains it when this policy also finds nothing eligible and rethrows it otherwise:
 * Yarn's wording changes between releases, the plugin's own facts do not.
 */
async function callOriginal(original: GetCandidates, self: unknown, ...args: Parameters<GetCandidates>): Promise<Array<Locator> | Error> {
  try {
    return await original.call(self, ...args);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/**
 * Held-back versions are recorded for the install report. A range with no eligible version stops
 * resolution right here: going on with the quarantined version would resolve its dependencies,
 * and git or tarball resolvers fetch (and run `prepack`) while resolving.
 */
function settle(session: Session, choice: CandidateChoice, opts: ResolveOptions): Array<Locator> {
  const protocol = protocolOf(opts);
  for (const finding of choice.heldBack)
    session.record({...finding, protocol});

  // Yarn prefixes errors thrown here with the descriptor being resolved.
  if (choice.failure !== null)
    throw new ReportError(MessageName.UNNAMED, formatFinding(session.project.configuration, session.stopResolution({...choice.failure, protocol}), {withSubject: false}));
  return [];
}

function rangeOf(descriptor: Descriptor) {
  return npmSelectorOf(descriptor.range);
}

function versionOf(locator: Locator) {
  return structUtils.parseRange(locator.reference).selector;
}
