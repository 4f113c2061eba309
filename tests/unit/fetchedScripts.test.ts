import {Configuration} from '@yarnpkg/core';
import {ppath} from '@yarnpkg/fslib';
import {describe, expect, it} from 'vitest';

import type {InstallScripts} from '../../sources/rules/installScript';
import {type ArchivedScriptsFact, checkFetchedScripts, type FetchedUpdate} from '../../sources/rules/installScripts';
import {settings} from '../../sources/settings';
import {formatCounts, formatFinding} from '../../sources/yarn/reporting';
import {makePolicy} from './policyFixture';

const configuration = Configuration.create(ppath.cwd(), new Map([[`yarn-plugin-quarantine`, {configuration: settings}]]));
configuration.values.set(`enableColors`, false);

const FILE = `/cache/lib-npm-1.0.1-0123456789-10c0.zip`;
const read = (scripts: InstallScripts, bindingGyp = false): ArchivedScriptsFact => ({kind: `read`, scripts, bindingGyp});
const fetched = (registry: InstallScripts, archive: ArchivedScriptsFact): FetchedUpdate =>
  ({name: `lib`, version: `1.0.1`, path: [`app@workspace:.`, `lib@npm:1.0.1`], file: FILE, registry, archive});

describe(`the install-script rule after the fetch step`, () => {
  it.each<[string, InstallScripts, ArchivedScriptsFact]>([
    [`the same scripts`, {postinstall: `node x.js`}, read({postinstall: `node x.js`})],
    [`a script the archive lacks`, {postinstall: `node x.js`}, read({})],
    [`an empty script (Yarn runs nothing)`, {}, read({postinstall: `  `})],
    [`the node-gyp rebuild npm records for a binding.gyp`, {install: `node-gyp rebuild`}, read({}, true)],
    [`a binding.gyp beside an install script the document has (Yarn runs that, not node-gyp)`, {install: `node build.js`}, read({install: `node build.js`}, true)],
    [`an empty install script beside a binding.gyp (Yarn runs neither)`, {}, read({install: ``}, true)],
    [`the node_modules/.bin/ prefix npm strips when it publishes`, {postinstall: `tsc -p .`}, read({postinstall: `node_modules/.bin/tsc -p .`})],
  ])(`passes %s`, (_, registry, archive) => {
    expect(checkFetchedScripts([fetched(registry, archive)], makePolicy())).toEqual([]);
  });

  it.each<[string, InstallScripts, ArchivedScriptsFact, Array<{script: string, command: string, previous: string | null}>, string | null]>([
    [`a script the document does not list`, {}, read({postinstall: `node evil.js`}), [{script: `postinstall`, command: `node evil.js`, previous: null}], null],
    [`another command`, {postinstall: `node x.js`}, read({postinstall: `node x.js && node evil.js`}), [{script: `postinstall`, command: `node x.js && node evil.js`, previous: `node x.js`}], null],
    [`a binding.gyp with gypfile: false`, {}, read({}, true), [{script: `install`, command: `node-gyp rebuild`, previous: null}], `binding.gyp`],
    [`a binding.gyp beside an unchanged preinstall`, {preinstall: `node a.js`}, read({preinstall: `node a.js`}, true), [{script: `install`, command: `node-gyp rebuild`, previous: null}], `binding.gyp`],
  ])(`finds %s`, (_, registry, archive, scripts, found) => {
    const [finding] = checkFetchedScripts([fetched(registry, archive)], makePolicy());
    expect(finding).toMatchObject({rule: `install-scripts`, kind: `install-scripts-not-in-registry`, severity: `error`, scripts, found, file: FILE, scriptsRun: true});
  });

  it(`fails closed on an archive it cannot read`, () => {
    const [finding] = checkFetchedScripts([fetched({}, {kind: `unreadable`, reason: `not a zip archive`})], makePolicy());
    expect(finding).toMatchObject({kind: `install-scripts-not-in-registry`, severity: `error`, scripts: null, detail: `not a zip archive`});
  });

  it.each([
    [`warn`, {installScripts: `warn`} as const, [`warning`]],
    [`off`, {installScripts: `off`} as const, []],
    [`an approval of that version`, {approvedScripts: [`lib@1.0.1`]}, []],
    [`an approval of another version`, {approvedScripts: [`lib@1.0.0`]}, [`error`]],
  ])(`follows the policy: %s`, (_, policy, severities) => {
    const findings = checkFetchedScripts([fetched({}, read({preinstall: `node evil.js`}))], makePolicy(policy));
    expect(findings.map(finding => finding.severity)).toEqual(severities);
  });
});

describe(`the line of an install script not in the registry's document`, () => {
  const FIX = `Fix: if you trust the script, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts; otherwise keep it from running with "dependenciesMeta": {"lib@1.0.1": {"built": false}} in package.json`;
  const STOPPED = `Yarn runs the archive's scripts; the archive was fetched into the cache (${FILE}), but nothing was linked or run (via app@workspace:. > lib@npm:1.0.1)`;

  it.each<[string, FetchedUpdate, string]>([
    [`a script added`, fetched({}, read({postinstall: `node evil.js`})),
      `lib@npm:1.0.1: its archive lists a postinstall script (node evil.js) in its package.json, unlike the registry's document of 1.0.1 that the install-script rule judged before the fetch; ${STOPPED}. ${FIX}`],
    [`a command changed`, fetched({preinstall: `node a.js`}, read({preinstall: `node b.js`})),
      `lib@npm:1.0.1: its archive lists the preinstall script node b.js in its package.json where the document has node a.js, unlike the registry's document of 1.0.1 that the install-script rule judged before the fetch; ${STOPPED}. ${FIX}`],
    [`a binding.gyp`, fetched({}, read({}, true)),
      `lib@npm:1.0.1: its archive holds a binding.gyp and no install script, so Yarn would run node-gyp rebuild, unlike the registry's document of 1.0.1 that the install-script rule judged before the fetch; ${STOPPED}. ${FIX}`],
    [`an unreadable archive`, fetched({}, {kind: `unreadable`, reason: `not a zip archive`}),
      `lib@npm:1.0.1: its archive cannot be read (not a zip archive), so the install-script rule cannot hold the scripts Yarn would run to the registry's document, and fails closed; the archive was fetched into the cache (${FILE}), but nothing was linked or run (via app@workspace:. > lib@npm:1.0.1). Fix: read the scripts in its package.json; if you trust them, run yarn quarantine approve --scripts lib@1.0.1, which adds this version to quarantineApprovedScripts; otherwise keep it from running with "dependenciesMeta": {"lib@1.0.1": {"built": false}} in package.json`],
  ])(`%s`, (_, update, line) => {
    const [finding] = checkFetchedScripts([update], makePolicy());
    expect(formatFinding(configuration, finding)).toBe(line);
  });

  it(`says under warn that Yarn will run it, and counts it under the install-script rule`, () => {
    const [finding] = checkFetchedScripts([fetched({}, read({postinstall: `node evil.js`}))], makePolicy({installScripts: `warn`}));
    expect(formatFinding(configuration, finding)).toContain(`Yarn runs the archive's scripts; Yarn will run it during the link step (the archive is ${FILE})`);
    expect(formatCounts([finding])).toBe(`1 violation: 1 of the install-script rule (1 install script not in the registry's document)`);
  });
});
