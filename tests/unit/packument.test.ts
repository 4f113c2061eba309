import {describe, expect, it} from 'vitest';

import {MalformedPackumentError, readPackument} from '../../sources/registry/packument';

const document = (time: unknown) => ({
  name: `pkg`,
  'dist-tags': {latest: `1.1.0`, next: 42},
  versions: {[`1.0.0`]: {}, [`1.1.0`]: {}},
  time,
});

describe(`readPackument`, () => {
  it.each([
    [`a Z timestamp`, `2026-03-31T00:21:00.000Z`, {kind: `known`, at: new Date(`2026-03-31T00:21:00.000Z`)}],
    [`an offset timestamp`, `2026-03-31T02:21:00+02:00`, {kind: `known`, at: new Date(`2026-03-31T00:21:00.000Z`)}],
    [`a date without a time`, `2026-03-31`, {kind: `missing`}],
    [`a number`, 1774916460000, {kind: `missing`}],
    [`prose`, `yesterday`, {kind: `missing`}],
    [`null`, null, {kind: `missing`}],
  ])(`reads %s`, (_, value, expected) => {
    const packument = readPackument(document({[`1.0.0`]: value}));
    expect(packument.timeOf(`1.0.0`)).toEqual(expected);
  });

  // Date accepts each of these and rolls it over to a neighbouring real time; every part but the day (or the hour of
  // 24:00) is valid, so only the calendar check can refuse them.
  it.each([
    [`February 30`, `2026-02-30T12:00:00Z`],
    [`February 29 of a common year`, `2026-02-29T12:00:00.000Z`],
    [`April 31, with an offset`, `2026-04-31T12:00:00+02:00`],
    [`24:00`, `2026-03-30T24:00:00Z`],
  ])(`reads %s as missing, not as the day Date rolls it over to`, (_, value) => {
    expect(Number.isFinite(Date.parse(value))).toBe(true);
    const packument = readPackument(document({[`1.0.0`]: value}));
    expect(packument.timeOf(`1.0.0`)).toEqual({kind: `missing`});
  });

  it(`tells missing from unlisted`, () => {
    const packument = readPackument(document({[`1.0.0`]: `2026-03-31T00:21:00.000Z`, [`2.0.0`]: `2026-03-31T00:21:00.000Z`}));
    expect(packument.timeOf(`1.1.0`)).toEqual({kind: `missing`});
    expect(packument.timeOf(`2.0.0`)).toEqual({kind: `unlisted`});
    expect(packument.distTags).toEqual({latest: `1.1.0`});
  });

  it(`notes a document without a time map`, () => {
    const packument = readPackument(document(undefined));
    expect(packument.hasTimeMap).toBe(false);
    expect(packument.timeOf(`1.0.0`)).toEqual({kind: `missing`});
  });

  it(`ignores inherited keys`, () => {
    const packument = readPackument(JSON.parse(`{"versions": {"constructor": {}}, "time": {}}`));
    expect(packument.timeOf(`constructor`)).toEqual({kind: `missing`});
  });

  it.each([null, `text`, [], {}, {versions: []}, {versions: null}])(`rejects %j`, value => {
    expect(() => readPackument(value)).toThrow(MalformedPackumentError);
  });
});

describe(`install scripts and trust evidence`, () => {
  const withVersion = (manifest: Record<string, unknown>) => readPackument({name: `pkg`, versions: {[`1.0.0`]: manifest}});

  it.each([
    [`no scripts field`, {}, {kind: `known`, scripts: {}}],
    [`only scripts Yarn does not run at install`, {scripts: {test: `vitest`, prepare: `tsc`, prepublishOnly: `x`}}, {kind: `known`, scripts: {}}],
    [`the three install scripts`, {scripts: {preinstall: `a`, install: `b`, postinstall: `c`, build: `d`}}, {kind: `known`, scripts: {preinstall: `a`, install: `b`, postinstall: `c`}}],
    [`gypfile without an install script, as node-gyp rebuild`, {gypfile: true, scripts: {postinstall: `c`}}, {kind: `known`, scripts: {install: `node-gyp rebuild`, postinstall: `c`}}],
    [`gypfile beside an install script of its own`, {gypfile: true, scripts: {install: `prebuild-install || node-gyp rebuild`}}, {kind: `known`, scripts: {install: `prebuild-install || node-gyp rebuild`}}],
    [`an empty command as none`, {scripts: {postinstall: `  `}}, {kind: `known`, scripts: {}}],
    [`a command that is not a string as none`, {scripts: {postinstall: [`node x.js`]}}, {kind: `known`, scripts: {}}],
    [`hasInstallScript without scripts as left out`, {hasInstallScript: true}, {kind: `omitted`}],
    [`hasInstallScript with the scripts listed`, {hasInstallScript: true, scripts: {install: `node i.js`}}, {kind: `known`, scripts: {install: `node i.js`}}],
  ])(`reads %s`, (_, manifest, expected) => {
    expect(withVersion(manifest).installScriptsOf(`1.0.0`)).toEqual(expected);
  });

  it(`does not describe a version it does not list`, () => {
    expect(withVersion({}).installScriptsOf(`2.0.0`)).toEqual({kind: `unknown`, reason: `the registry does not list this version`});
  });

  it.each([
    [`a trusted publisher with provenance`, {_npmUser: {name: `GitHub Actions`, email: `npm-oidc-no-reply@github.com`, trustedPublisher: {id: `github`, oidcConfigId: `oidc:1`}}, dist: {integrity: `sha512-x`, attestations: {url: `https://registry.test/-/npm/v1/attestations/pkg@1.0.0`, provenance: {predicateType: `https://slsa.dev/provenance/v1`}}}}, {publisher: true, trustedPublisher: true, provenance: true}],
    [`provenance alone`, {_npmUser: {name: `jane`}, dist: {integrity: `sha512-x`, attestations: {url: `u`, provenance: {}}}}, {publisher: true, trustedPublisher: false, provenance: true}],
    [`a token publish`, {_npmUser: {name: `jane`}, dist: {integrity: `sha512-x`}}, {publisher: true, trustedPublisher: false, provenance: false}],
    [`a full document without _npmUser (a mirror)`, {dist: {integrity: `sha512-x`}}, {publisher: false, trustedPublisher: false, provenance: false}],
    [`attestations without a provenance statement`, {_npmUser: {name: `jane`}, dist: {integrity: `sha512-x`, attestations: {url: `u`}}}, {publisher: true, trustedPublisher: false, provenance: false}],
    [`a trustedPublisher that is no object`, {_npmUser: {name: `jane`, trustedPublisher: `github`}, dist: {integrity: `sha512-x`}}, {publisher: true, trustedPublisher: false, provenance: false}],
  ])(`reads the trust evidence of %s`, (_, manifest, expected) => {
    expect(withVersion(manifest).trustOf(`1.0.0`)).toEqual(expected);
  });

  it(`reads no trust evidence from Yarn's metadata copy, which drops the fields`, () => {
    const copy = readPackument({name: `pkg`, versions: {[`1.0.0`]: {dist: {tarball: `https://registry.test/pkg/-/pkg-1.0.0.tgz`}}}}, {fullDocument: false});
    expect(copy.trustOf(`1.0.0`)).toBeNull();
    expect(copy.isFullDocument).toBe(false);
  });
});

describe(`trust against the release line`, () => {
  const trusted = {_npmUser: {name: `GitHub Actions`, email: `npm-oidc-no-reply@github.com`, trustedPublisher: {id: `github`, oidcConfigId: `oidc:1`}}, dist: {integrity: `sha512-x`, attestations: {url: `u`, provenance: {predicateType: `https://slsa.dev/provenance/v1`}}}};
  const token = {_npmUser: {name: `jane`}, dist: {integrity: `sha512-x`}};
  const mirror = {dist: {integrity: `sha512-x`}};
  const time = {[`1.14.0`]: `2026-03-27T19:01:00.000Z`, [`1.14.1`]: `2026-03-31T00:21:00+00:00`};

  it(`compares a token publish with the trusted version before it, as the registry's document spells them`, () => {
    const packument = readPackument({name: `axios`, time, versions: {[`1.14.0`]: trusted, [`1.14.1`]: token}});
    expect(packument.trustFactOf(`1.14.1`)).toEqual({kind: `known`, rank: 0, earlier: {version: `1.14.0`, rank: 2, publishedAt: new Date(`2026-03-27T19:01:00.000Z`)}});
  });

  it(`has nothing to compare in a document that records no evidence`, () => {
    expect(readPackument({name: `axios`, time, versions: {[`1.14.0`]: mirror, [`1.14.1`]: mirror}}).trustFactOf(`1.14.1`)).toEqual({kind: `no-evidence`});
  });

  it(`cannot tell from Yarn's metadata copy`, () => {
    const copy = {dist: {tarball: `https://registry.test/axios/-/axios-1.14.1.tgz`}};
    expect(readPackument({name: `axios`, time, versions: {[`1.14.0`]: copy, [`1.14.1`]: copy}}, {fullDocument: false}).trustFactOf(`1.14.1`)).toMatchObject({kind: `unknown`});
  });

  it(`judges a registry's own document that has neither _npmUser nor an integrity (a legacy registry) as one without evidence`, () => {
    const legacy = {dist: {tarball: `https://registry.test/axios/-/axios-1.14.1.tgz`, shasum: `0123`}};
    expect(readPackument({name: `axios`, time, versions: {[`1.14.0`]: legacy, [`1.14.1`]: legacy}}).trustFactOf(`1.14.1`)).toEqual({kind: `no-evidence`});
  });
});
