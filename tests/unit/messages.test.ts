import {Configuration, formatUtils} from '@yarnpkg/core';
import {ppath} from '@yarnpkg/fslib';
import {afterEach, describe, expect, it, vi} from 'vitest';

import {type Finding, makeFinding} from '../../sources/rules/finding';
import {settings} from '../../sources/settings';
import {printable} from '../../sources/yarn/messages';
import {findingToJson, formatCounts, formatFinding} from '../../sources/yarn/reporting';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

// The plugin's settings are declared: Yarn's pretty-printer of a setting's name asserts that it exists.
const configuration = Configuration.create(ppath.cwd(), new Map([[`yarn-plugin-quarantine`, {configuration: settings}]]));
configuration.values.set(`enableColors`, false);

const releaseAge = {rule: `release-age`, severity: `error`, periodMs: 3 * DAY} as const;
const newDependency = {rule: `new-dependency`, severity: `error`} as const;
const lockfile = {rule: `lockfile`, severity: `error`} as const;
const young = {publishedAt: new Date(`2026-04-01T10:00:00Z`), ageMs: 5 * HOUR, eligibleAt: new Date(`2026-04-04T10:00:00Z`)};
const path = [`app@workspace:.`, `lib@1.0.0`, `dep@2.0.0`];
const parent = {name: `lib`, version: `1.1.0`, baselineVersions: [`1.0.0`]};

// Every branch of every finding kind, with the line the plugin printed before its messages were split per kind.
const cases: Array<[string, Finding, string]> = [
  [`held-back`, makeFinding({...releaseAge, ...young, kind: `held-back`, name: `lib`, version: `1.2.0`, range: `^1.0.0`, usedVersion: `1.1.0`, severity: `info`}),
    `lib@npm:^1.0.0: held back 1.2.0 (published 2026-04-01 10:00 UTC, 5h ago; eligible at 2026-04-04 10:00 UTC), using 1.1.0`],
  [`held-back, no publish time`, makeFinding({...releaseAge, kind: `held-back`, name: `lib`, version: `1.2.0`, range: `^1.0.0`, usedVersion: `1.1.0`, severity: `info`}),
    `lib@npm:^1.0.0: held back 1.2.0 (no publish time), using 1.1.0`],
  [`held-back, jsr:`, makeFinding({...releaseAge, ...young, kind: `held-back`, name: `@jsr/std__path`, protocol: `jsr:`, version: `1.2.0`, range: `^1.0.0`, usedVersion: `1.1.0`}),
    `@std/path@jsr:^1.0.0: held back 1.2.0 (published 2026-04-01 10:00 UTC, 5h ago; eligible at 2026-04-04 10:00 UTC), using 1.1.0`],
  [`quarantined`, makeFinding({...releaseAge, ...young, kind: `quarantined`, name: `dep`, version: `2.0.0`, path}),
    `dep@npm:2.0.0 is in quarantine: published 2026-04-01 10:00 UTC, 5h ago, less than 3d; eligible at 2026-04-04 10:00 UTC (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: wait, or exempt it with yarn quarantine approve --release-age dep@2.0.0 (quarantineExemptPackages)`],
  [`quarantined, locked`, makeFinding({...releaseAge, ...young, kind: `quarantined`, name: `dep`, version: `2.0.0`, locked: true}),
    `dep@npm:2.0.0 (locked) is in quarantine: published 2026-04-01 10:00 UTC, 5h ago, less than 3d; eligible at 2026-04-04 10:00 UTC. Fix: run yarn up -R dep to move to an eligible version, wait, or exempt it with yarn quarantine approve --release-age dep@2.0.0 (quarantineExemptPackages)`],
  [`quarantined, published in the future`, makeFinding({...releaseAge, ...young, ageMs: -2 * HOUR, kind: `quarantined`, name: `dep`, version: `2.0.0`}),
    `dep@npm:2.0.0 is in quarantine: published 2026-04-01 10:00 UTC, 2h in the future; eligible at 2026-04-04 10:00 UTC. Fix: wait, or exempt it with yarn quarantine approve --release-age dep@2.0.0 (quarantineExemptPackages)`],
  [`quarantined, jsr:`, makeFinding({...releaseAge, ...young, kind: `quarantined`, name: `@jsr/std__path`, protocol: `jsr:`, version: `1.2.0`, locked: true}),
    `@std/path@jsr:1.2.0 (locked) is in quarantine: published 2026-04-01 10:00 UTC, 5h ago, less than 3d; eligible at 2026-04-04 10:00 UTC. Fix: run yarn up -R @std/path to move to an eligible version, wait, or exempt it with yarn quarantine approve --release-age @jsr/std__path@1.2.0 (quarantineExemptPackages)`],
  [`no-eligible-version`, makeFinding({...releaseAge, ...young, kind: `no-eligible-version`, name: `lib`, version: `2.0.0`, range: `^2.0.0`, path}),
    `lib@npm:^2.0.0: no version satisfying ^2.0.0 is out of quarantine (3d): the youngest candidate, 2.0.0, was published 2026-04-01 10:00 UTC, 5h ago; the first candidate becomes eligible at 2026-04-04 10:00 UTC (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: wait, or exempt it with yarn quarantine approve --release-age lib@2.0.0 (quarantineExemptPackages)`],
  [`no-eligible-version, candidates without a publish time`, makeFinding({...releaseAge, kind: `no-eligible-version`, name: `@acme/lib`, version: `2.0.0`, range: `^2.0.0`, detail: `2 candidates have no publish time`}),
    `@acme/lib@npm:^2.0.0: no version satisfying ^2.0.0 is out of quarantine (3d): the youngest candidate, 2.0.0, was published at an unknown time (2 candidates have no publish time, and quarantineMissingPublishTime is reject). Fix: if you trust it, exempt it with yarn quarantine approve --release-age @acme/lib@2.0.0, or its whole scope with yarn quarantine approve --release-age '@acme/*' (quarantineExemptPackages); for a registry that serves no publish times, set quarantineMissingPublishTime: allow`],
  [`no-eligible-version, some without a publish time, one to wait for`, makeFinding({...releaseAge, ...young, kind: `no-eligible-version`, name: `lib`, version: `2.0.0`, range: `^2.0.0`, detail: `1 candidate has no publish time`}),
    `lib@npm:^2.0.0: no version satisfying ^2.0.0 is out of quarantine (3d): the youngest candidate, 2.0.0, was published 2026-04-01 10:00 UTC, 5h ago; the first candidate becomes eligible at 2026-04-04 10:00 UTC (1 candidate has no publish time, and quarantineMissingPublishTime is reject). Fix: wait, or if you trust it, exempt it with yarn quarantine approve --release-age lib@2.0.0 (quarantineExemptPackages); for a registry that serves no publish times, set quarantineMissingPublishTime: allow`],
  [`missing-publish-time`, makeFinding({...releaseAge, kind: `missing-publish-time`, name: `lib`, version: `1.0.0`, path}),
    `lib@npm:1.0.0: the registry reports no publish time for this version, and quarantineMissingPublishTime is reject (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: if you trust it, exempt it with yarn quarantine approve --release-age lib@1.0.0 (quarantineExemptPackages); for a registry that serves no publish times, set quarantineMissingPublishTime: allow`],
  [`missing-publish-time, scoped and locked`, makeFinding({...releaseAge, kind: `missing-publish-time`, name: `@acme/lib`, version: `1.0.0`, locked: true}),
    `@acme/lib@npm:1.0.0 (locked): the registry reports no publish time for this version, and quarantineMissingPublishTime is reject. Fix: if you trust it, exempt it with yarn quarantine approve --release-age @acme/lib@1.0.0, or its whole scope with yarn quarantine approve --release-age '@acme/*' (quarantineExemptPackages); for a registry that serves no publish times, set quarantineMissingPublishTime: allow`],
  [`unlisted-version`, makeFinding({...releaseAge, kind: `unlisted-version`, name: `lib`, version: `1.0.0`, locked: true, path}),
    `lib@npm:1.0.0 (locked): the registry no longer serves this version; it may have been pulled for being malicious (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: run yarn up -R lib to move to a served version, and check the machines that installed it`],
  [`unlisted-version, HTTP 403`, makeFinding({...releaseAge, kind: `unlisted-version`, name: `lib`, version: `1.0.0`, detail: `HTTP 403`}),
    `lib@npm:1.0.0: the registry no longer serves this version (it answers 403 for the package: pulled for being malicious, or the credentials lack access). Fix: check the registry credentials; if they are right, run yarn up -R lib to move to a served version, and check the machines that installed it`],
  [`registry-error`, makeFinding({...releaseAge, kind: `registry-error`, name: `lib`, version: `1.0.0`, detail: `HTTP 500`, locked: true, path}),
    `lib@npm:1.0.0 (locked): could not learn its publish time (HTTP 500), so the release-age rule fails closed (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: retry when the registry answers, or exempt it with yarn quarantine approve --release-age lib@1.0.0 (quarantineExemptPackages)`],
  [`new-sub-dependency`, makeFinding({...newDependency, kind: `new-sub-dependency`, name: `plain-crypto-js`, version: `4.2.1`, range: `^4.2.1`, parent, path}),
    `plain-crypto-js@npm:4.2.1 is a new sub-dependency: lib 1.0.0 -> 1.1.0 adds plain-crypto-js@^4.2.1, a package this project never had (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: if you trust it, run yarn quarantine approve plain-crypto-js, which adds it to quarantineApprovedDependencies`],
  [`new-sub-dependency, optional, bringing one along`, makeFinding({...newDependency, kind: `new-sub-dependency`, name: `@acme/native-linux`, version: `1.0.0`, range: `1.0.0`,
    parent: {name: `lib`, version: `1.0.0`, baselineVersions: [`1.0.0`]}, optional: true, conditions: `os=linux`, bringsAlong: 1, detail: `an alias of npm:@acme/native@1.0.0`}),
  `@acme/native-linux@npm:1.0.0 is a new sub-dependency: lib 1.0.0 now depends on @acme/native-linux@1.0.0 (an alias of npm:@acme/native@1.0.0), a package this project never had; it is optional, for os=linux; 1 more new package comes with it. Fix: if you trust it, run yarn quarantine approve @acme/native-linux (or yarn quarantine approve '@acme/*' for the whole scope), which adds it to quarantineApprovedDependencies`],
  [`new-sub-dependency, optional, bringing several along`, makeFinding({...newDependency, kind: `new-sub-dependency`, name: `native`, version: `1.0.0`, range: `1.0.0`,
    parent: {name: `lib`, version: `2.0.0`, baselineVersions: [`1.0.0`, `1.5.0`]}, optional: true, bringsAlong: 3}),
  `native@npm:1.0.0 is a new sub-dependency: lib 1.0.0, 1.5.0 -> 2.0.0 adds native@1.0.0, a package this project never had; it is optional; 3 more new packages come with it. Fix: if you trust it, run yarn quarantine approve native, which adds it to quarantineApprovedDependencies`],
  [`exotic-source, judged before resolution`, makeFinding({...newDependency, kind: `exotic-source`, name: `evil`, range: `exec:./build.js`, detail: `exec:`, parent}),
    `evil@exec:./build.js: a sub-dependency of lib@1.1.0 from exec:, not locked before; Yarn would fetch and run it during resolution, so it was stopped before any request. Fix: if you trust it, run yarn quarantine approve 'evil@exec:./build.js', which adds it to quarantineApprovedDependencies`],
  [`exotic-source, in the resolved graph`, makeFinding({...newDependency, kind: `exotic-source`, name: `evil`, version: `1.0.0`, range: `https://example.test/evil.tgz`, detail: `a tarball URL`}),
    `evil@https://example.test/evil.tgz: a sub-dependency of a package from a tarball URL, not locked before; found in the resolved graph, and stopped before the fetch step. Fix: if you trust it, run yarn quarantine approve 'evil@https://example.test/evil.tgz', which adds it to quarantineApprovedDependencies`],
  [`source-mismatch`, makeFinding({...lockfile, kind: `source-mismatch`, name: `lib`, range: `npm:^1.0.0`, declaredBy: `app@workspace:.`, found: `lib@https://example.test/lib.tgz`, detail: `another source`}),
    `app@workspace:. declares lib@npm:^1.0.0, but yarn.lock resolves it to lib@https://example.test/lib.tgz (another source): a lockfile cannot change what a manifest declares, so nothing of it was fetched. Fix: re-resolve it from the manifest with yarn up -R lib (in a Yarn 1 lockfile, delete its entry and install again), or declare that source in package.json if you mean it`],
  [`unconfirmed-tarball`, makeFinding({...lockfile, kind: `unconfirmed-tarball`, name: `lib`, version: `1.0.0`, locked: true, found: `https://example.test/lib-1.0.1.tgz`, expected: `https://example.test/lib-1.0.0.tgz`, path}),
    `lib@npm:1.0.0 (locked): yarn.lock fetches it from https://example.test/lib-1.0.1.tgz, but the registry serves lib 1.0.0 at https://example.test/lib-1.0.0.tgz; it may be another version's archive, so nothing was fetched (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: run yarn up -R lib to take the registry's archive again`],
  [`unconfirmed-tarball, unconfirmed`, makeFinding({...lockfile, kind: `unconfirmed-tarball`, name: `lib`, version: `1.0.0`, found: `https://example.test/lib-1.0.1.tgz`, detail: `HTTP 404`}),
    `lib@npm:1.0.0: yarn.lock fetches it from https://example.test/lib-1.0.1.tgz, and the registry could not confirm that archive (HTTP 404); it may be another version's archive, so nothing was fetched. Fix: run yarn up -R lib to take the registry's archive again`],
  [`archive-mismatch, another version`, makeFinding({...lockfile, kind: `archive-mismatch`, name: `lib`, version: `1.0.0`, locked: true, file: `.yarn/cache/lib-npm-1.0.0-abc.zip`, found: `lib@1.0.1`, expected: `lib@1.0.0`, path}),
    `lib@npm:1.0.0 (locked): its archive in the project's cache, .yarn/cache/lib-npm-1.0.0-abc.zip, holds lib 1.0.1, not 1.0.0; a pull request may have replaced it together with its checksum, so nothing was linked or run (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: restore that file from your base branch, or delete it and run yarn install to fetch the registry's archive; zero-install projects should run yarn install --immutable --immutable-cache --check-cache in CI`],
  [`archive-mismatch, another package`, makeFinding({...lockfile, kind: `archive-mismatch`, name: `lib`, version: `1.0.0`, file: `.yarn/cache/lib-npm-1.0.0-abc.zip`, found: `@evil/other@1.0.0`, expected: `lib@1.0.0`}),
    `lib@npm:1.0.0: its archive in the project's cache, .yarn/cache/lib-npm-1.0.0-abc.zip, holds @evil/other 1.0.0, not lib 1.0.0; a pull request may have replaced it together with its checksum, so nothing was linked or run. Fix: restore that file from your base branch, or delete it and run yarn install to fetch the registry's archive; zero-install projects should run yarn install --immutable --immutable-cache --check-cache in CI`],
  [`archive-mismatch, unreadable`, makeFinding({...lockfile, kind: `archive-mismatch`, name: `lib`, version: `1.0.0`, file: `.yarn/cache/lib-npm-1.0.0-abc.zip`, expected: `lib@1.0.0`, detail: `not a zip archive`}),
    `lib@npm:1.0.0: its archive in the project's cache, .yarn/cache/lib-npm-1.0.0-abc.zip, cannot be read as a package archive (not a zip archive); a pull request may have replaced it together with its checksum, so nothing was linked or run. Fix: restore that file from your base branch, or delete it and run yarn install to fetch the registry's archive; zero-install projects should run yarn install --immutable --immutable-cache --check-cache in CI`],
  [`archive-mismatch, unchecked`, makeFinding({...lockfile, kind: `archive-mismatch`, name: `lib`, version: `1.0.0`, file: `.yarn/cache/lib-npm-1.0.0-abc.zip`, detail: `yarn.lock keeps no checksum for it`}),
    `lib@npm:1.0.0: its archive in the project's cache, .yarn/cache/lib-npm-1.0.0-abc.zip, would be taken unchecked: yarn.lock keeps no checksum for it; a pull request may have replaced it together with its checksum, so nothing was linked or run. Fix: restore that file from your base branch, or delete it and run yarn install to fetch the registry's archive; zero-install projects should run yarn install --immutable --immutable-cache --check-cache in CI`],
  [`dependency-mismatch`, makeFinding({...lockfile, kind: `dependency-mismatch`, name: `lib`, version: `1.0.0`, found: `evil@^1.0.0`, expected: `evil@^2.0.0`, path}),
    `lib@npm:1.0.0: yarn.lock says it depends on evil@^1.0.0, but the registry's manifest of lib 1.0.0 declares evil@^2.0.0: a lockfile cannot change what a package depends on, so nothing of it was fetched (via app@workspace:. > lib@1.0.0 > dep@2.0.0). Fix: run yarn up -R lib to take its dependencies from the registry again`],
  [`dependency-mismatch, undeclared`, makeFinding({...lockfile, kind: `dependency-mismatch`, name: `lib`, version: `1.0.0`, locked: true, found: `evil@^1.0.0`}),
    `lib@npm:1.0.0 (locked): yarn.lock says it depends on evil@^1.0.0, but the registry's manifest of lib 1.0.0 declares no such dependency: a lockfile cannot change what a package depends on, so nothing of it was fetched. Fix: run yarn up -R lib to take its dependencies from the registry again`],
  [`checksum-changed`, makeFinding({...lockfile, kind: `checksum-changed`, name: `lib`, version: `1.0.0`, found: `lib@npm:1.0.0`, detail: `10c0/aaaa, was 10c0/bbbb`}),
    `lib@npm:1.0.0: yarn.lock keeps this entry of the base revision with another checksum (10c0/aaaa, was 10c0/bbbb): the same source now claims to hold other bytes. Fix: restore the entry's checksum from the base branch; if the source really changed, re-resolve it with yarn up -R lib and review what it holds now`],
  [`format-downgrade`, makeFinding({...lockfile, kind: `format-downgrade`, name: `yarn.lock`, found: `6`, expected: `8`, detail: `enableScripts: true`}),
    `yarn.lock was rewritten in an older format (version 6) than the base revision's (version 8): Yarn 4.14 and later take that for a project migrated from an older Yarn and, for the install, turn on every install script and every git repository and (4.18) turn off its own age gate, writing enableScripts: true into .yarnrc.yml. Fix: restore yarn.lock from the base branch and run yarn install with the project's Yarn; a project that moves to an older Yarn on purpose sets enableScripts: true in .yarnrc.yml itself`],
  [`format-downgrade, Yarn 1`, makeFinding({...lockfile, kind: `format-downgrade`, name: `yarn.lock`, found: `Yarn 1`, expected: `8`, detail: `enableScripts: true`}),
    `yarn.lock was rewritten in an older format (a Yarn 1 lockfile) than the base revision's (version 8): Yarn 4.14 and later take that for a project migrated from an older Yarn and, for the install, turn on every install script and every git repository and (4.18) turn off its own age gate, writing enableScripts: true into .yarnrc.yml. Fix: restore yarn.lock from the base branch and run yarn install with the project's Yarn; a project that moves to an older Yarn on purpose sets enableScripts: true in .yarnrc.yml itself`],
];

describe(`the line of each finding`, () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each(cases)(`%s`, (_, finding, line) => {
    expect(formatFinding(configuration, finding)).toBe(line);
    expect(findingToJson(configuration, finding).message).toBe(line);
  });

  it(`drops the subject of a no-eligible-version line on request`, () => {
    const [, finding, line] = cases.find(([name]) => name === `no-eligible-version`)!;
    expect(formatFinding(configuration, finding, {withSubject: false})).toBe(line.slice(`lib@npm:^2.0.0: `.length));
  });

  // Colours off hide which pretty-printer each part goes through; tagging every part with its type shows it.
  it(`renders every part with the same formatting type`, () => {
    const pretty = formatUtils.pretty;
    vi.spyOn(formatUtils, `pretty`).mockImplementation(((configuration: Configuration, value: unknown, type: string) =>
      `<${type}>${pretty(configuration, value as string, type as formatUtils.Type)}</${type}>`) as typeof formatUtils.pretty);
    expect(Object.fromEntries(cases.map(([name, finding]) => [name, formatFinding(configuration, finding)]))).toMatchSnapshot();
  });
});

const installScripts = {rule: `install-scripts`, severity: `error`, previousVersion: `1.0.0`, scriptsRun: true} as const;
const lib = {name: `lib`, version: `1.0.1`, path: [`app@workspace:.`, `lib@npm:1.0.1`]};
const FIX = `Fix: if you trust the script, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts; otherwise stay on 1.0.0 (yarn up lib@1.0.0), or keep it from running with "dependenciesMeta": {"lib@1.0.1": {"built": false}} in package.json`;
const DEEPER_FIX = FIX.replace(`stay on 1.0.0 (yarn up lib@1.0.0)`, `keep yarn.lock's 1.0.0`);

const scriptCases: Array<[string, Finding, string]> = [
  [`a script added`, makeFinding({...installScripts, ...lib, kind: `install-script-changed`, scripts: [{script: `preinstall`, command: `node setup_bun.js`, previous: null}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a preinstall script (node setup_bun.js); Yarn would run it during the link step (via app@workspace:. > lib@npm:1.0.1). ${FIX}`],
  [`an install script added and one changed`, makeFinding({...installScripts, ...lib, kind: `install-script-changed`, scripts: [{script: `install`, command: `node-gyp rebuild`, previous: null}, {script: `postinstall`, command: `node b.js`, previous: `node a.js`}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds an install script (node-gyp rebuild) and changes its postinstall script from node a.js to node b.js; Yarn would run them during the link step (via app@workspace:. > lib@npm:1.0.1). ${FIX}`],
  [`a baseline version the registry no longer describes`, makeFinding({...installScripts, ...lib, path: [], kind: `install-script-changed`, unreadableBaseline: [`1.0.0`], scripts: [{script: `postinstall`, command: `node x.js`, previous: null}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (node x.js) (the registry no longer describes 1.0.0, so nothing could be compared with it); Yarn would run it during the link step. ${DEEPER_FIX}`],
  [`scripts off on this machine only`, makeFinding({...installScripts, ...lib, path: [], kind: `install-script-changed`, detail: `YARN_ENABLE_SCRIPTS`, scripts: [{script: `postinstall`, command: `node x.js`, previous: null}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (node x.js); Yarn would run it during the link step wherever scripts are on (enableScripts is false here by YARN_ENABLE_SCRIPTS, not by the project's .yarnrc.yml). ${DEEPER_FIX}`],
  [`scripts off by enableScripts`, makeFinding({...installScripts, ...lib, path: [], severity: `info`, scriptsRun: false, detail: `enableScripts`, kind: `install-script-changed`, scripts: [{script: `postinstall`, command: `node x.js`, previous: null}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (node x.js); they will not run here: enableScripts is false`],
  [`scripts off by built: false`, makeFinding({...installScripts, ...lib, path: [], severity: `info`, scriptsRun: false, detail: `built`, kind: `install-script-changed`, scripts: [{script: `postinstall`, command: `node x.js`, previous: null}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 adds a postinstall script (node x.js); they will not run here: dependenciesMeta sets built: false for it`],
  [`scripts left out by the registry`, makeFinding({...installScripts, ...lib, path: [], kind: `install-scripts-omitted`}),
    `lib@npm:1.0.1: the registry says this version has install scripts but leaves out which, so the install-script rule cannot compare them with 1.0.0's and fails closed; Yarn would run them during the link step. Fix: read the scripts in its package.json; if you trust them, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts; otherwise keep yarn.lock's 1.0.0, or keep it from running with "dependenciesMeta": {"lib@1.0.1": {"built": false}} in package.json`],
  [`scripts that could not be learnt`, makeFinding({...installScripts, ...lib, kind: `install-scripts-unknown`, detail: `the registry answered 500`}),
    `lib@npm:1.0.1: could not learn its install scripts (the registry answered 500), so the install-script rule fails closed; Yarn would run them during the link step (via app@workspace:. > lib@npm:1.0.1). Fix: retry when the registry answers, or if you trust this version's scripts, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts`],
  [`a command with control characters`, makeFinding({...installScripts, ...lib, kind: `install-script-changed`, scripts: [{script: `postinstall`, command: `evil #\r\u202enode ok.js`, previous: `node\u0007 a.js`}]}),
    `lib@npm:1.0.1: 1.0.0 -> 1.0.1 changes its postinstall script from node\\u0007 a.js to evil #\\u000d\\u202enode ok.js; Yarn would run it during the link step (via app@workspace:. > lib@npm:1.0.1). ${FIX}`],
  [`a new sub-dependency with a postinstall`, makeFinding({...newDependency, kind: `new-sub-dependency`, name: `plain-crypto-js`, version: `4.2.1`, range: `^4.2.1`, parent, scripts: [{script: `postinstall`, command: `node setup.js`, previous: null}], scriptsRun: true}),
    `plain-crypto-js@npm:4.2.1 is a new sub-dependency: lib 1.0.0 -> 1.1.0 adds plain-crypto-js@^4.2.1, a package this project never had; it has a postinstall script (node setup.js), which Yarn would run. Fix: if you trust it, run yarn quarantine approve plain-crypto-js, which adds it to quarantineApprovedDependencies`],
  [`a new sub-dependency without scripts`, makeFinding({...newDependency, kind: `new-sub-dependency`, name: `helper`, version: `1.0.0`, range: `^1.0.0`, parent, scripts: [], scriptsRun: true}),
    `helper@npm:1.0.0 is a new sub-dependency: lib 1.0.0 -> 1.1.0 adds helper@^1.0.0, a package this project never had; its registry document lists no install script. Fix: if you trust it, run yarn quarantine approve helper, which adds it to quarantineApprovedDependencies`],
  [`a new sub-dependency whose scripts the registry left out`, makeFinding({...newDependency, kind: `new-sub-dependency`, name: `helper`, version: `1.0.0`, range: `^1.0.0`, parent, scripts: null, scriptsRun: false}),
    `helper@npm:1.0.0 is a new sub-dependency: lib 1.0.0 -> 1.1.0 adds helper@^1.0.0, a package this project never had; the registry does not say which install scripts it has. Fix: if you trust it, run yarn quarantine approve helper, which adds it to quarantineApprovedDependencies`],
];

describe(`the line of each install-script finding`, () => {
  it.each(scriptCases)(`%s`, (_, finding, line) => {
    expect(formatFinding(configuration, finding)).toBe(line);
    expect(findingToJson(configuration, finding)).toMatchObject({message: line, scripts: finding.scripts, previousVersion: finding.previousVersion, scriptsRun: finding.scriptsRun});
  });

  it(`counts them under the install-script rule`, () => {
    expect(formatCounts(scriptCases.slice(0, 2).map(([, finding]) => finding))).toBe(`2 violations: 2 of the install-script rule (2 install scripts added or changed)`);
  });
});

describe(`the count of findings`, () => {
  it(`names each kind, singular or plural, under its rule`, () => {
    const findings = cases.map(([, finding]) => finding);
    expect(formatCounts(findings)).toBe(`32 violations: 15 of the release-age rule (3 held back, 4 quarantined, 3 no eligible version, 2 missing publish times, 2 no longer served, 1 registry error), 5 of the new sub-dependency rule (3 new sub-dependencies, 2 non-registry sources), 12 of the lockfile rule (1 source mismatch, 2 unconfirmed tarball URLs, 4 swapped archives, 2 dependency lists not the registry's, 1 checksum changed, 2 older lockfile formats)`);
    expect(formatCounts(findings.slice(0, 1))).toBe(`1 violation: 1 of the release-age rule (1 held back)`);
  });
});

describe(`printable`, () => {
  it.each([
    [`a line feed`, `a\nb`, `a\\u000ab`],
    [`a lone carriage return`, `a\rb`, `a\\u000db`],
    [`an escape sequence`, `a\u001b[2Kb`, `a\\u001b[2Kb`],
    [`next line (NEL)`, `a\u0085b`, `a\\u0085b`],
    [`the Unicode line and paragraph separators`, `a\u2028b\u2029c`, `a\\u2028b\\u2029c`],
    [`a bidirectional override and the Arabic letter mark`, `a\u202eb\u061cc`, `a\\u202eb\\u061cc`],
    [`the older ##[command] form GitHub's runner obeys anywhere in a line`, `x ##[add-mask]y ###[z`, `x #\\u0023[add-mask]y ##\\u0023[z`],
    [`plain text`, `node setup.js && echo "done" # ok`, `node setup.js && echo "done" # ok`],
  ])(`escapes %s`, (_, text, shown) => {
    expect(printable(text)).toBe(shown);
    expect(printable(printable(text))).toBe(shown);
  });
});
