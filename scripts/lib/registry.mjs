import {createHash} from 'node:crypto';
import {createServer} from 'node:http';
import {gzipSync} from 'node:zlib';

/**
 * @typedef {{
 *   publishedAt?: Date | string | null,
 *   dependencies?: Record<string, string>,
 *   optionalDependencies?: Record<string, string>,
 *   peerDependencies?: Record<string, string>,
 *   peerDependenciesMeta?: Record<string, {optional?: boolean}>,
 *   scripts?: Record<string, string>,
 *   bin?: string | Record<string, string>,
 *   files?: Record<string, string>,
 *   deprecated?: string,
 *   registryManifest?: Record<string, unknown>,
 *   publishedWith?: 'trusted-publisher' | 'provenance' | 'token',
 *   [field: string]: unknown,
 * }} VersionSpec
 * `publishedAt`: null means no entry in the time map; undefined means DEFAULT_PUBLISHED_AT (long ago).
 * `registryManifest`: fields the registry's document shows for the version instead of the tarball's
 * package.json (a field set to undefined is left out), as a publisher can make them differ ("manifest confusion").
 * `publishedWith`: how the public registry records the publish, spelt as it does, in the full document only (not in the
 * abbreviated one, not in the tarball's package.json, and never as a `publishedWith` field): `trusted-publisher` (an
 * `_npmUser` {name: 'GitHub Actions', email: 'npm-oidc-no-reply@github.com', trustedPublisher: {id: 'github',
 * oidcConfigId: 'oidc:<uuid derived from the name>'}}, and `dist.attestations` {url: '<registry>/-/npm/v1/attestations/
 * <name>@<version>', provenance: {predicateType: 'https://slsa.dev/provenance/v1'}}), `provenance` (a person's
 * `_npmUser`, {name: 'maintainer', email: 'maintainer@example.com'}, and the attestation), `token` (a person's
 * `_npmUser` alone); absent, neither field (as mirrors and many private registries serve documents).
 * Other unknown fields (os, cpu, engines, ...) are copied into the manifest as they are.
 *
 * @typedef {{name: string, distTags?: Record<string, string>, versions: Record<string, VersionSpec>}} PackageSpec
 *
 * @typedef {'status' | 'reset' | 'hang' | 'malformed' | 'no-time' | 'partial-time' | 'not-modified'} FaultKind
 * @typedef {{match: string | RegExp, kind: FaultKind, status?: number, times?: number, withoutCachedCopy?: boolean}} Fault
 * `withoutCachedCopy`: only requests that carry no If-None-Match (a client that kept no copy of the document).
 *
 * @typedef {{
 *   method: string, path: string, name: string | null, kind: 'packument' | 'tarball' | 'other',
 *   status: number | null, fault: FaultKind | null, bytes: number,
 *   ifNoneMatch: string | null, accept: string | null, authorization: string | null,
 * }} RequestLogEntry
 * `status` is null when the request was never answered (reset, hang). `bytes`: the response body sent, as it went
 * over the wire (nothing here is compressed); 0 for a 304, a HEAD or a request never answered.
 *
 * @typedef {{
 *   packages?: PackageSpec[], omitTime?: boolean, abbreviated?: boolean, token?: string, delayMs?: number,
 *   jsrTarballs?: boolean,
 * }} RegistryOptions
 * `jsrTarballs`: serve the tarballs of `@jsr/` packages where JSR's npm compatibility registry does
 * (`/~/<revision>/@jsr/<name>/<version>.tgz`), not at npm's conventional path, so Yarn locks them
 * with an `__archiveUrl` as it does against JSR.
 */

export const DEFAULT_PUBLISHED_AT = `2020-01-01T00:00:00.000Z`;

const JSR_TARBALL_REVISION = 5;

export const minutes = (/** @type {number} */ n) => n * 60_000;
export const hours = (/** @type {number} */ n) => n * 3_600_000;
export const days = (/** @type {number} */ n) => n * 86_400_000;

/** @param {number} ms */
export function isoAgo(ms) {
  return new Date(Date.now() - ms).toISOString();
}

/** @param {{days?: number, hours?: number, minutes?: number}} ago */
export function agoISO({days: d = 0, hours: h = 0, minutes: m = 0} = {}) {
  return isoAgo(days(d) + hours(h) + minutes(m));
}

const SEMVER = /^v?(\d+)\.(\d+)\.(\d+)(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$/;

/** @param {string} a @param {string} b @returns {number} */
export function compareVersions(a, b) {
  const pa = SEMVER.exec(a), pb = SEMVER.exec(b);
  if (!pa || !pb) return a < b ? -1 : a > b ? 1 : 0;
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return Math.sign(d);
  }
  if (!pa[4] || !pb[4]) return pa[4] ? -1 : pb[4] ? 1 : 0;
  const xa = pa[4].split(`.`), xb = pb[4].split(`.`);
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]), nb = /^\d+$/.test(xb[i]);
    if (na && nb && Number(xa[i]) !== Number(xb[i])) return Math.sign(Number(xa[i]) - Number(xb[i]));
    if (na !== nb) return na ? -1 : 1;
    if (xa[i] !== xb[i]) return xa[i] < xb[i] ? -1 : 1;
  }
  return 0;
}

/** @param {Date | string | null | undefined} value */
function toISO(value) {
  if (value === null) return null;
  return new Date(value ?? DEFAULT_PUBLISHED_AT).toISOString();
}

const ABBREVIATED_FIELDS = [
  `name`, `version`, `dependencies`, `optionalDependencies`, `peerDependencies`, `peerDependenciesMeta`,
  `bin`, `deprecated`, `os`, `cpu`, `engines`,
];

const TAR_MTIME = Date.parse(`1985-10-26T08:15:00Z`) / 1000;

/** @param {Buffer} buf @param {string} str @param {number} offset @param {number} length */
function writeField(buf, str, offset, length) {
  buf.write(str, offset, length, `utf8`);
}

/** @param {string} path @param {number} size */
function tarHeader(path, size) {
  const header = Buffer.alloc(512);
  let name = path, prefix = ``;
  if (Buffer.byteLength(path) > 100) {
    const cut = path.lastIndexOf(`/`, 155);
    if (cut <= 0 || Buffer.byteLength(path.slice(cut + 1)) > 100) throw new Error(`Path too long for ustar: ${path}`);
    prefix = path.slice(0, cut);
    name = path.slice(cut + 1);
  }
  writeField(header, name, 0, 100);
  writeField(header, `0000644\0`, 100, 8);
  writeField(header, `0000000\0`, 108, 8);
  writeField(header, `0000000\0`, 116, 8);
  writeField(header, `${size.toString(8).padStart(11, `0`)}\0`, 124, 12);
  writeField(header, `${TAR_MTIME.toString(8).padStart(11, `0`)}\0`, 136, 12);
  writeField(header, `        `, 148, 8);
  writeField(header, `0`, 156, 1);
  writeField(header, `ustar\0`, 257, 6);
  writeField(header, `00`, 263, 2);
  writeField(header, prefix, 345, 155);
  let sum = 0;
  for (const byte of header) sum += byte;
  writeField(header, `${sum.toString(8).padStart(6, `0`)}\0 `, 148, 8);
  return header;
}

/** @param {Record<string, string | Buffer>} files relative path → content */
export function buildTarball(files) {
  const chunks = [];
  for (const [path, content] of Object.entries(files)) {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content);
    chunks.push(tarHeader(path, data.length), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  chunks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(chunks));
}

/** @param {string} name */
const basename = name => name.slice(name.indexOf(`/`) + 1);

/** @param {string} s */
const sha1 = s => createHash(`sha1`).update(s).digest(`hex`);

/**
 * The trusted-publisher configuration id npm records (`oidc:` and a UUID), here derived from the package name: the same
 * for every version of a package, as one trusted-publisher configuration publishes them all.
 * @param {string} name
 */
const oidcConfigIdOf = name => {
  const hex = createHash(`sha256`).update(name).digest(`hex`);
  return `oidc:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

const PUBLISHED_WITH = [`trusted-publisher`, `provenance`, `token`];

/** @param {string} name @param {string} version @param {VersionSpec} spec */
function checkVersionSpec(name, version, spec) {
  if (spec.publishedWith !== undefined && !PUBLISHED_WITH.includes(spec.publishedWith))
    throw new Error(`${name}@${version}: publishedWith must be one of ${PUBLISHED_WITH.join(`, `)}, not ${JSON.stringify(spec.publishedWith)}`);
  return {...spec};
}

/** @param {import('node:http').IncomingMessage} req @param {string} name */
const header = (req, name) => {
  const value = req.headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(`, `) : value;
};

/** @param {RegistryOptions} [options] */
export async function startRegistry(options = {}) {
  const {omitTime = false, abbreviated = false, token, delayMs = 0, jsrTarballs = false} = options;
  /** Serve full documents as some registries do: each version says `hasInstallScript` but leaves `scripts` out. */
  let scriptsOmitted = false;

  /** @type {Map<string, {name: string, distTags: Record<string, string>, versions: Map<string, VersionSpec>, modified: string}>} */
  const store = new Map();
  /** @type {Map<string, {data: Buffer, shasum: string, integrity: string}>} */
  const tarballs = new Map();
  /** @type {(Fault & {times: number})[]} */
  let faults = [];
  /** @type {RequestLogEntry[]} */
  const requests = [];
  /** @type {Set<import('node:net').Socket>} */
  const sockets = new Set();
  /** @type {Set<NodeJS.Timeout>} */
  const timers = new Set();
  let baseUrl = ``;

  /** @param {string} name */
  function mustGet(name) {
    const pkg = store.get(name);
    if (!pkg) throw new Error(`Unknown package ${name}`);
    return pkg;
  }

  /** @param {string} name */
  function touch(name) {
    mustGet(name).modified = new Date().toISOString();
    for (const key of tarballs.keys()) if (key.startsWith(`${name}@`)) tarballs.delete(key);
  }

  /** @param {string} name @param {string} version */
  function manifestOf(name, version) {
    const {publishedAt, files, registryManifest, publishedWith, ...fields} = mustGet(name).versions.get(version) ?? {};
    return {name, version, ...fields};
  }

  /** @param {string} name @param {string} version */
  function documentManifestOf(name, version) {
    return {...manifestOf(name, version), ...mustGet(name).versions.get(version)?.registryManifest};
  }

  /**
   * `_npmUser` and `dist.attestations` as the public registry spells them (spread into the full document's version
   * object and its `dist`; empty when `publishedWith` is absent).
   * @param {string} name @param {string} version
   */
  function publishRecordOf(name, version) {
    const how = mustGet(name).versions.get(version)?.publishedWith;
    if (!how) return {user: {}, attestations: {}};
    const user = how === `trusted-publisher`
      ? {name: `GitHub Actions`, email: `npm-oidc-no-reply@github.com`, trustedPublisher: {id: `github`, oidcConfigId: oidcConfigIdOf(name)}}
      : {name: `maintainer`, email: `maintainer@example.com`};
    const attestations = how === `token`
      ? {}
      : {attestations: {url: `${baseUrl}/-/npm/v1/attestations/${name}@${version}`, provenance: {predicateType: `https://slsa.dev/provenance/v1`}}};
    return {user: {_npmUser: user}, attestations};
  }

  /** @param {string} name @param {string} version */
  function tarballOf(name, version) {
    const key = `${name}@${version}`;
    let entry = tarballs.get(key);
    if (!entry) {
      const {deprecated, ...manifest} = manifestOf(name, version);
      const files = /** @type {Record<string, string>} */ (mustGet(name).versions.get(version)?.files ?? {});
      const contents = {
        [`package/package.json`]: JSON.stringify(manifest, null, 2),
        [`package/index.js`]: `module.exports = ${JSON.stringify({name, version})};\n`,
        ...Object.fromEntries(Object.entries(files).map(([path, content]) => [`package/${path}`, content])),
      };
      const data = buildTarball(contents);
      entry = {
        data,
        shasum: createHash(`sha1`).update(data).digest(`hex`),
        integrity: `sha512-${createHash(`sha512`).update(data).digest(`base64`)}`,
      };
      tarballs.set(key, entry);
    }
    return entry;
  }

  /** @param {string} name @param {string} version */
  const tarballUrl = (name, version) => jsrTarballs && name.startsWith(`@jsr/`)
    ? `${baseUrl}/~/${JSR_TARBALL_REVISION}/${name}/${version}.tgz`
    : `${baseUrl}/${name}/-/${basename(name)}-${version}.tgz`;

  /** @param {string} name */
  function distTagsOf(name) {
    const pkg = mustGet(name);
    const tags = {...pkg.distTags};
    if (!tags.latest) {
      const stable = [...pkg.versions.keys()].filter(v => !SEMVER.exec(v)?.[4]).sort(compareVersions);
      const latest = stable.at(-1) ?? [...pkg.versions.keys()].sort(compareVersions).at(-1);
      if (latest) tags.latest = latest;
    }
    return tags;
  }

  /**
   * @param {string} name
   * @param {{abbreviated?: boolean, time?: 'full' | 'none' | 'partial'}} [how]
   */
  function packumentOf(name, {abbreviated: short = false, time = omitTime ? `none` : `full`} = {}) {
    const pkg = mustGet(name);
    const versions = [...pkg.versions.keys()].sort(compareVersions);
    /** @type {Record<string, unknown>} */
    const docVersions = {};
    for (const version of versions) {
      const manifest = documentManifestOf(name, version);
      const {shasum, integrity} = tarballOf(name, version);
      const record = publishRecordOf(name, version);
      const dist = {tarball: tarballUrl(name, version), shasum, integrity};
      if (short) {
        const picked = Object.fromEntries(ABBREVIATED_FIELDS.map(field => [field, /** @type {Record<string, unknown>} */ (manifest)[field]]));
        const scripts = /** @type {Record<string, string> | undefined} */ (manifest.scripts);
        const hasInstallScript = [`preinstall`, `install`, `postinstall`].some(s => scripts?.[s]) || undefined;
        docVersions[version] = {...picked, hasInstallScript, dist};
      } else if (scriptsOmitted) {
        const {scripts, ...rest} = /** @type {Record<string, unknown> & {scripts?: Record<string, string>}} */ (manifest);
        const hasInstallScript = [`preinstall`, `install`, `postinstall`].some(s => scripts?.[s]) || undefined;
        docVersions[version] = {_id: `${name}@${version}`, ...rest, hasInstallScript, ...record.user, dist: {...dist, ...record.attestations}};
      } else {
        docVersions[version] = {_id: `${name}@${version}`, ...manifest, ...record.user, dist: {...dist, ...record.attestations}};
      }
    }
    if (short) return {name, 'dist-tags': distTagsOf(name), versions: docVersions, modified: pkg.modified};

    /** @type {Record<string, unknown>} */
    const doc = {_id: name, name, 'dist-tags': distTagsOf(name), versions: docVersions};
    if (time !== `none`) {
      const published = versions
        .map(v => /** @type {[string, string | null]} */ ([v, toISO(pkg.versions.get(v)?.publishedAt)]))
        .filter(/** @returns {e is [string, string]} */ e => e[1] !== null);
      if (time === `partial` && published.length > 0) {
        const newest = published.reduce((a, b) => (b[1] >= a[1] ? b : a));
        published.splice(published.indexOf(newest), 1);
      }
      const stamps = published.map(e => e[1]).sort();
      doc.time = {created: stamps[0] ?? pkg.modified, modified: pkg.modified, ...Object.fromEntries(published)};
    }
    return doc;
  }

  const packages = {
    /** @param {PackageSpec} spec */
    addPackage(spec) {
      store.set(spec.name, {name: spec.name, distTags: {...spec.distTags}, versions: new Map(), modified: ``});
      for (const [version, versionSpec] of Object.entries(spec.versions ?? {})) store.get(spec.name)?.versions.set(version, checkVersionSpec(spec.name, version, versionSpec));
      touch(spec.name);
    },
    /** @param {string} name @param {string} version @param {VersionSpec} [versionSpec] */
    addVersion(name, version, versionSpec = {}) {
      if (!store.has(name)) packages.addPackage({name, versions: {}});
      mustGet(name).versions.set(version, checkVersionSpec(name, version, versionSpec));
      touch(name);
    },
    /** @param {string} name @param {string} version */
    removeVersion(name, version) {
      const pkg = mustGet(name);
      pkg.versions.delete(version);
      for (const [tag, v] of Object.entries(pkg.distTags)) if (v === version) delete pkg.distTags[tag];
      touch(name);
    },
    /** @param {string} name @param {string} version @param {Date | string | null} isoOrNull */
    setTime(name, version, isoOrNull) {
      const spec = mustGet(name).versions.get(version);
      if (!spec) throw new Error(`Unknown version ${name}@${version}`);
      spec.publishedAt = isoOrNull;
      touch(name);
    },
    /** @param {string} name @param {string} tag @param {string} version */
    setDistTag(name, tag, version) {
      mustGet(name).distTags[tag] = version;
      touch(name);
    },
    /** @param {string} name */
    has: name => store.has(name),
    /** @param {string} name @param {Parameters<typeof packumentOf>[1]} [how] */
    packument: (name, how) => packumentOf(name, how),
    /** @param {string} name @param {string} version */
    tarball: (name, version) => tarballOf(name, version),
  };

  for (const spec of options.packages ?? []) packages.addPackage(spec);

  /** @param {string} path */
  function route(path) {
    const decoded = safeDecode(path.split(`?`)[0]);
    const jsr = /^\/~\/\d+\/(@jsr\/[^/]+)\/([^/]+)\.tgz$/.exec(decoded);
    if (jsr) return {kind: /** @type {const} */ (`tarball`), name: jsr[1], version: jsr[2], decoded};
    const m = /^\/((?:@[^/]+\/)?[^/@][^/]*)(?:\/-\/([^/]+)\.tgz)?\/?$/.exec(decoded);
    if (!m) return {kind: /** @type {const} */ (`other`), name: null, version: null, decoded};
    const name = m[1];
    if (m[2] === undefined) return {kind: /** @type {const} */ (`packument`), name, version: null, decoded};
    const prefix = `${basename(name)}-`;
    const version = m[2].startsWith(prefix) ? m[2].slice(prefix.length) : null;
    return {kind: /** @type {const} */ (`tarball`), name, version, decoded};
  }

  /** @param {string} raw @param {string} decoded @param {FaultKind[]} [kinds] @param {string | null} [ifNoneMatch] */
  function takeFault(raw, decoded, kinds, ifNoneMatch = null) {
    const fault = faults.find(f =>
      f.times > 0 &&
      (!f.withoutCachedCopy || ifNoneMatch === null) &&
      (!kinds || kinds.includes(f.kind)) &&
      (typeof f.match === `string` ? f.match === raw || f.match === decoded : f.match.test(raw) || f.match.test(decoded)),
    );
    if (fault) fault.times -= 1;
    return fault ?? null;
  }

  /** @param {import('node:http').IncomingMessage} req @param {import('node:http').ServerResponse} res */
  function handle(req, res) {
    const path = req.url ?? `/`;
    const {kind, name, version, decoded} = route(path);
    /** @type {RequestLogEntry} */
    const entry = {
      method: req.method ?? `GET`, path, name, kind, status: null, fault: null, bytes: 0,
      ifNoneMatch: header(req, `if-none-match`), accept: header(req, `accept`), authorization: header(req, `authorization`),
    };
    requests.push(entry);

    /** @param {number} status @param {Record<string, string>} headers @param {string | Buffer} [body] */
    const send = (status, headers, body) => {
      const sent = req.method === `HEAD` ? undefined : body;
      entry.status = status;
      entry.bytes = sent === undefined ? 0 : Buffer.byteLength(sent);
      res.writeHead(status, headers);
      res.end(sent);
    };
    /** @param {number} status @param {string} error */
    const sendError = (status, error) => send(status, {'content-type': `application/json`}, JSON.stringify({error}));

    const fault = takeFault(path, decoded, [`status`, `reset`, `hang`, `malformed`, `not-modified`], entry.ifNoneMatch);
    if (fault) {
      entry.fault = fault.kind;
      switch (fault.kind) {
        case `status`: return sendError(fault.status ?? 500, `Injected fault`);
        case `reset`: return void req.socket.destroy();
        case `hang`: return;
        case `malformed`: return send(200, {'content-type': `application/json`}, `{"name": "${name ?? ``}", "versions": {`);
        case `not-modified`: return send(304, {});
      }
    }

    if (token !== undefined && entry.authorization !== `Bearer ${token}`)
      return sendError(401, `Unauthorized`);
    if (req.method !== `GET` && req.method !== `HEAD`)
      return sendError(405, `Method not allowed`);
    if (!name || !store.has(name))
      return sendError(404, `Not found`);

    if (kind === `tarball`) {
      if (!version || !mustGet(name).versions.has(version)) return sendError(404, `Not found`);
      const {data} = tarballOf(name, version);
      return send(200, {'content-type': `application/octet-stream`, 'content-length': String(data.length)}, data);
    }

    const timeFault = takeFault(path, decoded, [`no-time`, `partial-time`]);
    if (timeFault) entry.fault = timeFault.kind;
    const short = abbreviated && (entry.accept ?? ``).includes(`application/vnd.npm.install-v1+json`);
    const doc = packumentOf(name, {
      abbreviated: short,
      time: timeFault?.kind === `no-time` || omitTime ? `none` : timeFault?.kind === `partial-time` ? `partial` : `full`,
    });
    const body = JSON.stringify(doc);
    const etag = `"${sha1(body)}"`;
    const headers = {
      'content-type': short ? `application/vnd.npm.install-v1+json` : `application/json`,
      etag,
      'last-modified': new Date(mustGet(name).modified).toUTCString(),
    };
    if (entry.ifNoneMatch && entry.ifNoneMatch.split(/\s*,\s*/).some(tag => tag === etag || tag === `W/${etag}` || tag === `*`))
      return send(304, {etag, 'last-modified': headers[`last-modified`]});
    return send(200, headers, body);
  }

  const server = createServer((req, res) => {
    if (delayMs <= 0) return handle(req, res);
    const timer = setTimeout(() => {
      timers.delete(timer);
      handle(req, res);
    }, delayMs);
    timers.add(timer);
  });
  server.on(`connection`, socket => {
    sockets.add(socket);
    socket.on(`close`, () => sockets.delete(socket));
  });

  await new Promise((resolve, reject) => {
    server.once(`error`, reject);
    server.listen(0, `127.0.0.1`, () => resolve(undefined));
  });
  const address = server.address();
  if (!address || typeof address === `string`) throw new Error(`Unexpected server address`);
  baseUrl = `http://127.0.0.1:${address.port}`;

  /** @param {string | RegExp} nameOrRegex */
  const matches = nameOrRegex => (/** @type {RequestLogEntry} */ e) =>
    typeof nameOrRegex === `string` ? e.name === nameOrRegex : nameOrRegex.test(e.path) || nameOrRegex.test(safeDecode(e.path));

  return {
    url: baseUrl,
    packages,
    requests,
    clearRequests: () => {
      requests.splice(0);
    },
    /** @param {string | RegExp} nameOrRegex a package name, or a pattern tested against the raw and decoded path */
    requestsFor: nameOrRegex => requests.filter(matches(nameOrRegex)),
    /** @param {string} name */
    packumentRequests: name => requests.filter(e => e.kind === `packument` && e.name === name),
    /** @param {string} name */
    tarballRequests: name => requests.filter(e => e.kind === `tarball` && e.name === name),
    /** @param {Fault} fault a string `match` equals the raw or decoded path; a RegExp is tested against both */
    addFault: fault => {
      faults.push({...fault, times: fault.times ?? Infinity});
    },
    clearFaults: () => {
      faults = [];
    },
    /** @param {boolean} omit leave `scripts` out of every version of every full document from now on */
    omitScripts: omit => {
      scriptsOmitted = omit;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise(resolve => server.close(() => resolve(undefined)));
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await closed;
    },
  };
}

/** @param {string} s */
function safeDecode(s) {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** @typedef {Awaited<ReturnType<typeof startRegistry>>} Registry */
