import {type Descriptor, type Ident, miscUtils, type Project, structUtils} from '@yarnpkg/core';
import {npmConfigUtils, npmHttpUtils, NpmSemverFetcher} from '@yarnpkg/plugin-npm';

import type {Policy} from '../policy/policy';
import type {InstallScriptsFact} from '../rules/installScript';
import type {PublishTime} from '../rules/publishTime';
import type {TrustFact} from '../rules/trust';
import {rankOf} from '../rules/trustEvidence';
import {describeDependencies, digestOf, registryDependencies} from '../yarn/dependencyList';
import {stateLocation, type StateLocation} from '../yarn/projectPaths';
import {MalformedPackumentError, readPackument, type PackumentTimes} from './packument';
import {ReleaseTimeCache} from './releaseTimeCache';

export type LookupStats = {
  versionsChecked: number;
  fromCache: number;
  packumentLookups: number;
};

/** Where the registry serves a version's tarball, as Yarn would lock it; or why that is not known. */
export type RegistryArchive = {kind: `served`, url: string} | {kind: `unknown`, reason: string};

/** The dependencies a version's registry manifest declares (as a digest, and as a list when it was read); or why that is not known. */
export type RegistryDependencies = {kind: `declared`, digest: string, list: Array<string> | null} | {kind: `unknown`, reason: string};

/** Statuses by which registries say a package or version is gone (403 is also how some mirrors hide malware). */
const GONE_STATUSES = new Set([403, 404, 410]);

/**
 * The one way what the registry says of a version is learnt (its publish time, its tarball URL, the
 * dependencies its manifest declares): the release-time cache first, then Yarn's own package metadata
 * (which carries `time` from Yarn 4.10.2 on, and is what the resolver just read), then the full
 * packument through Yarn's `npmHttpUtils`, so scopes, auth, proxies and offline mode apply. Whatever
 * a read of the registry taught about a version is cached together.
 */
export class PublishTimes {
  readonly stats: LookupStats = {versionsChecked: 0, fromCache: 0, packumentLookups: 0};
  private readonly packuments = new Map<string, Promise<PackumentTimes | null>>();
  private readonly fullPackuments = new Map<string, Promise<PackumentTimes>>();
  private readonly fullDocumentNeeded = new Set<string>();
  private readonly cache: ReleaseTimeCache;
  /** Where the release-time cache is kept, and which configured folder was passed over. */
  readonly location: StateLocation;
  private yarnDropsTime = false;

  constructor(private readonly project: Project, private readonly policy: Policy, private readonly now: Date) {
    this.location = stateLocation(project);
    this.cache = new ReleaseTimeCache(this.location.releaseTimes);
  }

  /** All versions of a package with their publish times, for choosing among candidates. */
  async packument(ident: Ident): Promise<PackumentTimes> {
    return await this.read(ident, undefined);
  }

  async timeOf(ident: Ident, version: string): Promise<PublishTime> {
    this.stats.versionsChecked += 1;

    // An entry another project's shorter period let in may still be young here: ask again, and learn if it was pulled.
    const cached = this.cache.get(this.keyOf(ident, version));
    if (cached?.publishedAt && this.now.getTime() - cached.publishedAt.getTime() >= this.policy.periodMs) {
      this.stats.fromCache += 1;
      return {kind: `known`, at: cached.publishedAt};
    }

    let time: PublishTime;
    try {
      const packument = await this.read(ident, version);
      time = packument.timeOf(version);
      this.learn(ident, version, packument, time);
    } catch (error) {
      time = describeFailure(error);
    }
    return time;
  }

  /**
   * Where the registry serves a version's tarball, in the form Yarn compares and locks it: a
   * lockfile's `__archiveUrl` must be this, or the lockfile names another archive than the version's.
   */
  async archiveOf(ident: Ident, version: string): Promise<RegistryArchive> {
    const cached = this.cache.get(this.keyOf(ident, version))?.archiveUrl ?? null;
    if (cached !== null)
      return {kind: `served`, url: cached === `` ? this.conventionalArchiveUrl(ident, version) : cached};

    const listed = await this.listing(ident, version);
    if (`reason` in listed)
      return {kind: `unknown`, reason: listed.reason};
    return {kind: `served`, url: this.canonicalArchiveUrl(ident, version, listed.packument.tarballOf(version))};
  }

  /**
   * The dependencies the registry's manifest of a version declares, to compare with what a lockfile
   * says that version depends on. `fresh` reads the registry even when the cache has a digest.
   */
  async dependenciesOf(ident: Ident, version: string, {fresh = false}: {fresh?: boolean} = {}): Promise<RegistryDependencies> {
    const cached = fresh ? null : this.cache.get(this.keyOf(ident, version))?.dependencies ?? null;
    if (cached !== null)
      return {kind: `declared`, digest: cached, list: null};

    const listed = await this.listing(ident, version);
    if (`reason` in listed)
      return {kind: `unknown`, reason: listed.reason};
    const {dependencies} = listed;
    if (dependencies === null)
      throw new MalformedPackumentError(`the registry's manifest of ${structUtils.stringifyIdent(ident)} ${version} is not an object`);
    return {kind: `declared`, digest: digestOf(dependencies), list: describeDependencies(dependencies)};
  }

  /**
   * The scripts Yarn would run when building a version, as the registry's manifest of it says. The
   * same document as its publish time: after those lookups, this comes from memory or the cache.
   */
  async installScriptsOf(ident: Ident, version: string, {fullDocument = true}: {fullDocument?: boolean} = {}): Promise<InstallScriptsFact> {
    const cached = this.cache.get(this.keyOf(ident, version))?.installScripts ?? null;
    if (cached !== null)
      return {kind: `known`, scripts: cached};

    if (fullDocument)
      this.readFullDocumentOf(ident);
    const listed = await this.listing(ident, version);
    if (`reason` in listed)
      return {kind: `unknown`, reason: listed.reason};
    return listed.packument.installScriptsOf(version);
  }

  /**
   * How a version was published, against the earlier versions of its release line: from the cache,
   * or from the registry's own document (Yarn's metadata copy drops the evidence; `knowsTrustOf`
   * says beforehand which packages need that document, so that it is the only one read).
   */
  async trustFactOf(ident: Ident, version: string): Promise<TrustFact> {
    const cached = this.cachedTrustFact(ident, version);
    if (cached !== null)
      return cached;
    const listed = await this.listing(ident, version);
    if (`reason` in listed)
      return {kind: `unknown`, reason: listed.reason};
    return listed.packument.trustFactOf(version);
  }

  /**
   * Starts reading the document the trust-downgrade rule will need for this version, unless the cache
   * knows it. Only the read starts: the resolvers keep reading Yarn's copy as before, and a read that
   * failed is forgotten, so the rule asks again and reports what it met.
   */
  prefetchTrustOf(ident: Ident, version: string) {
    if (this.knowsTrustOf(ident, version) || this.project.configuration.get(`enableOfflineMode`))
      return;
    const reading = this.fullDocument(ident);
    reading.catch(() => {
      if (this.fullPackuments.get(ident.identHash) === reading)
        this.fullPackuments.delete(ident.identHash);
    });
  }

  knowsTrustOf(ident: Ident, version: string) {
    return this.cachedTrustFact(ident, version) !== null;
  }

  private cachedTrustFact(ident: Ident, version: string): TrustFact | null {
    const cached = this.cache.get(this.keyOf(ident, version));
    if (!cached?.trustLine)
      return null;
    if (cached.trustLine.noEvidence)
      return {kind: `no-evidence`};
    return cached.trust === null ? null : {kind: `known`, rank: rankOf(cached.trust), earlier: cached.trustLine.earlier};
  }

  /**
   * Yarn's metadata copy drops what says a version's scripts were left out, and the implicit build
   * of a binding.gyp: the install-script rule reads the registry's own document for the packages it
   * judges, and their publish times come from that same document.
   */
  readFullDocumentOf(ident: Ident) {
    // Offline, Yarn's copy is all there is; it still lists the scripts, if not an omission or a gypfile.
    if (!this.project.configuration.get(`enableOfflineMode`))
      this.fullDocumentNeeded.add(ident.identHash);
  }

  /** The packument of a version's package when it lists that version, with the version's dependencies; otherwise why not. */
  private async listing(ident: Ident, version: string): Promise<{packument: PackumentTimes, dependencies: Array<Descriptor> | null} | {reason: string}> {
    try {
      const packument = await this.read(ident, version);
      if (!packument.versions.has(version))
        return {reason: `the registry does not list this version`};
      return {packument, dependencies: this.learn(ident, version, packument, packument.timeOf(version))};
    } catch (error) {
      const failure = describeFailure(error);
      if (failure.kind === `unlisted`)
        return {reason: `the registry answers ${failure.status} for the package`};
      return {reason: failure.kind === `unavailable` ? failure.reason : `the registry gave no answer`};
    }
  }

  /**
   * Caches what a read of the registry says of a version (its publish time only once it is out of
   * quarantine); returns the dependencies its manifest declares, null when it has no manifest.
   */
  private learn(ident: Ident, version: string, packument: PackumentTimes, time: PublishTime): Array<Descriptor> | null {
    const fields = packument.dependenciesOf(version);
    if (fields === null)
      return null;
    const dependencies = registryDependencies(this.project.configuration, fields);
    const archiveUrl = this.canonicalArchiveUrl(ident, version, packument.tarballOf(version));
    const installScripts = packument.installScriptsOf(version);
    const trust = packument.trustFactOf(version);
    this.cache.update(this.keyOf(ident, version), {
      publishedAt: time.kind === `known` && this.now.getTime() - time.at.getTime() >= this.policy.periodMs ? time.at : null,
      dependencies: digestOf(dependencies),
      archiveUrl: archiveUrl === this.conventionalArchiveUrl(ident, version) ? `` : archiveUrl,
      installScripts: installScripts.kind === `known` && packument.isFullDocument ? installScripts.scripts : null,
      trust: packument.trustOf(version),
      trustLine: trust.kind === `no-evidence` ? {noEvidence: true} : trust.kind === `known` ? {noEvidence: false, earlier: trust.earlier} : null,
    });
    return dependencies;
  }

  /** The URL Yarn fetches a version from when the lockfile gives none: the registry's own path for it. */
  conventionalArchiveUrl(ident: Ident, version: string) {
    return `${this.registryOf(ident)}${NpmSemverFetcher.getLocatorUrl(structUtils.makeLocator(ident, `npm:${version}`))}`;
  }

  /** Yarn treats some spellings of the conventional URL as that URL (it locks none of them); so does the comparison. */
  canonicalArchiveUrl(ident: Ident, version: string, url: string | null) {
    if (url === null || NpmSemverFetcher.isConventionalTarballUrl(structUtils.makeLocator(ident, `npm:${version}`), url, {configuration: this.project.configuration}))
      return this.conventionalArchiveUrl(ident, version);
    return url;
  }

  private keyOf(ident: Ident, version: string) {
    return ReleaseTimeCache.keyOf(this.registryOf(ident), structUtils.stringifyIdent(ident), version);
  }

  /** Archives of the project's own cache already read under their checksum, remembered beside the release times. */
  readonly verifiedArchives = {
    has: (locatorHash: string, checksum: string) => this.cache.has(ReleaseTimeCache.archiveKeyOf(locatorHash, checksum)),
    add: (locatorHash: string, checksum: string) => this.cache.remember(ReleaseTimeCache.archiveKeyOf(locatorHash, checksum)),
  };

  /**
   * Old locked trust downgrades an install of this project already warned of on this machine: each
   * is told once per project (`check` and `--json` always list them), so a version another project
   * was told about is still told here.
   */
  readonly warnedDowngrades = {
    has: (name: string, version: string) => this.cache.has(this.warningKeyOf(name, version)),
    add: (name: string, version: string) => this.cache.remember(this.warningKeyOf(name, version)),
  };

  private warningKeyOf(name: string, version: string) {
    return ReleaseTimeCache.warningKeyOf(`${this.project.cwd} ${this.keyOf(structUtils.parseIdent(name), version)}`);
  }

  /** Graphs whose lockfile the lockfile rule verified, by the key of `verifiedGraphKey`. */
  readonly verifiedGraphs = {
    has: (key: string) => this.cache.has(ReleaseTimeCache.graphKeyOf(key)),
    add: (key: string) => this.cache.remember(ReleaseTimeCache.graphKeyOf(key)),
  };

  async persist() {
    try {
      await this.cache.save();
    } catch {
      // A cache that cannot be written only costs requests next time.
    }
  }

  private readonly registries = new Map<string | null, string>();

  private registryOf(ident: Ident) {
    return miscUtils.getFactoryWithDefault(this.registries, ident.scope, () => npmConfigUtils.getScopeRegistry(ident.scope, {configuration: this.project.configuration}));
  }

  private async read(ident: Ident, version: string | undefined): Promise<PackumentTimes> {
    const fromYarn = this.yarnDropsTime || !this.location.yarnMetadataTrusted || this.fullDocumentNeeded.has(ident.identHash) ? null : await miscUtils.getFactoryWithDefault(this.packuments, ident.identHash, () => this.readYarnMetadata(ident));
    if (fromYarn !== null && isConclusive(fromYarn, version))
      return fromYarn;

    // Yarn before 4.10.2 strips `time` from its metadata, and its disk copy may predate a version:
    // ask for the whole document before concluding that a time is missing or a version is gone.
    const full = await this.fullDocument(ident);

    // Once Yarn's metadata lacked a `time` map the registry does serve, it always will in this process.
    if (fromYarn !== null && !fromYarn.hasTimeMap && full.hasTimeMap)
      this.yarnDropsTime = true;
    return full;
  }

  /** The registry's own document of a package, read once per command. */
  private fullDocument(ident: Ident): Promise<PackumentTimes> {
    return miscUtils.getFactoryWithDefault(this.fullPackuments, ident.identHash, async () => {
      this.stats.packumentLookups += 1;
      const document = await npmHttpUtils.get(npmHttpUtils.getIdentUrl(ident), {
        configuration: this.project.configuration,
        ident,
        jsonResponse: true,
      });
      return readPackument(document);
    });
  }

  /**
   * Without a `version`, Yarn revalidates its disk copy with the registry (a 304 when unchanged)
   * instead of trusting it: a version pulled since that copy was written is seen as gone.
   */
  private async readYarnMetadata(ident: Ident): Promise<PackumentTimes | null> {
    if (typeof npmHttpUtils.getPackageMetadata !== `function`)
      return null;
    this.stats.packumentLookups += 1;
    const metadata = await npmHttpUtils.getPackageMetadata(ident, {project: this.project});
    return readPackument(metadata, {fullDocument: false});
  }
}

function isConclusive(packument: PackumentTimes, version: string | undefined) {
  if (!packument.hasTimeMap)
    return false;
  return typeof version === `undefined` || packument.timeOf(version).kind === `known`;
}

function describeFailure(error: unknown): PublishTime {
  const status = (error as {originalError?: {response?: {statusCode?: number}}})?.originalError?.response?.statusCode;
  if (typeof status === `number` && GONE_STATUSES.has(status))
    return {kind: `unlisted`, status};
  if (error instanceof MalformedPackumentError)
    return {kind: `unavailable`, reason: `the registry sent an unreadable packument (${error.message})`};
  if (error instanceof SyntaxError)
    return {kind: `unavailable`, reason: `the registry sent malformed JSON`};
  const message = error instanceof Error ? error.message : String(error);
  return {kind: `unavailable`, reason: typeof status === `number` ? `the registry answered ${status}: ${message}` : message};
}
