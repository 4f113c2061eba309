import {describe, expect, it} from 'vitest';

import type {InstallScriptsFact} from '../../sources/rules/installScript';
import {checkInstallScripts, type ScriptUpdate} from '../../sources/rules/installScripts';
import {makePolicy} from './policyFixture';

const known = (scripts: Record<string, string>): InstallScriptsFact => ({kind: `known`, scripts});
const NONE = known({});
const update = (scripts: InstallScriptsFact, baseline: Array<[string, InstallScriptsFact]>, overrides: Partial<ScriptUpdate> = {}): ScriptUpdate => ({
  name: `lib`,
  version: `1.1.0`,
  scripts,
  baseline: baseline.map(([version, facts]) => ({version, scripts: facts})),
  run: {runs: true},
  locked: false,
  ...overrides,
});

describe(`checkInstallScripts`, () => {
  it.each([
    [`a postinstall added`, update(known({postinstall: `node setup.js`}), [[`1.0.0`, NONE]]), [{script: `postinstall`, command: `node setup.js`, previous: null}]],
    [`a command changed`, update(known({install: `node evil.js`}), [[`1.0.0`, known({install: `node-gyp rebuild`})]]), [{script: `install`, command: `node evil.js`, previous: `node-gyp rebuild`}]],
    [`a preinstall added beside an unchanged install`, update(known({preinstall: `node setup_bun.js`, install: `node-gyp rebuild`}), [[`1.0.0`, known({install: `node-gyp rebuild`})]]), [{script: `preinstall`, command: `node setup_bun.js`, previous: null}]],
    [`an implicit node-gyp rebuild appearing`, update(known({install: `node-gyp rebuild`}), [[`1.0.0`, NONE]]), [{script: `install`, command: `node-gyp rebuild`, previous: null}]],
    [`a command changed besides its version`, update(known({postinstall: `napi-postinstall lib 1.1.0 check && node x.js`}), [[`1.0.0`, known({postinstall: `napi-postinstall lib 1.0.0 check`})]]), [{script: `postinstall`, command: `napi-postinstall lib 1.1.0 check && node x.js`, previous: `napi-postinstall lib 1.0.0 check`}]],
    [`a script moved to another hook`, update(known({preinstall: `node x.js`}), [[`1.0.0`, known({postinstall: `node x.js`})]]), [{script: `preinstall`, command: `node x.js`, previous: null}]],
    [`a script whose baseline version the registry no longer lists`, update(known({postinstall: `node x.js`}), [[`1.0.0`, {kind: `unknown`, reason: `gone`}]]), [{script: `postinstall`, command: `node x.js`, previous: null}]],
  ])(`reports %s`, (_, facts, scripts) => {
    const findings = checkInstallScripts([facts], makePolicy());
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({rule: `install-scripts`, kind: `install-script-changed`, severity: `error`, name: `lib`, version: `1.1.0`, previousVersion: `1.0.0`, scriptsRun: true, scripts});
  });

  it.each([
    [`no script on either side`, update(NONE, [[`1.0.0`, NONE]])],
    [`the same script`, update(known({postinstall: `node install.js`}), [[`1.0.0`, known({postinstall: `node install.js`})]])],
    [`a script removed`, update(NONE, [[`1.0.0`, known({postinstall: `node install.js`})]])],
    [`a command that names the package's own version`, update(known({postinstall: `napi-postinstall lib 1.1.0 check`}), [[`1.0.0`, known({postinstall: `napi-postinstall lib 1.0.0 check`})]])],
    [`a script some baseline version already ran`, update(known({postinstall: `node b.js`}), [[`1.0.0`, known({postinstall: `node a.js`})], [`2.0.0`, known({postinstall: `node b.js`})]])],
    [`a version the registry cannot describe whose scripts would not run`, update({kind: `unknown`, reason: `HTTP 500`}, [[`1.0.0`, NONE]], {run: {runs: false, because: `enableScripts`}})],
  ])(`passes %s`, (_, facts) => {
    expect(checkInstallScripts([facts], makePolicy())).toEqual([]);
  });

  it(`compares each script against every baseline version, and shows the newest one`, () => {
    const [finding] = checkInstallScripts([update(known({postinstall: `node c.js`}), [[`1.0.0`, known({postinstall: `node a.js`})], [`1.0.2`, known({postinstall: `node b.js`})], [`0.9.0`, NONE]])], makePolicy());
    expect(finding).toMatchObject({previousVersion: `1.0.2`, scripts: [{script: `postinstall`, command: `node c.js`, previous: `node b.js`}]});
  });

  it(`names the baseline versions it could not compare with`, () => {
    const [finding] = checkInstallScripts([update(known({postinstall: `node x.js`}), [[`1.0.0`, {kind: `omitted`}]])], makePolicy());
    expect(finding.unreadableBaseline).toEqual([`1.0.0`]);
  });

  it.each([
    [`reject`, {runs: true}, `error`, null],
    [`warn`, {runs: true}, `warning`, null],
    [`reject`, {runs: false, because: `enableScripts`}, `info`, `enableScripts`],
    [`reject`, {runs: false, because: `built`}, `info`, `built`],
  ] as const)(`under %s, scripts that run=%o are a finding of severity %s`, (mode, run, severity, detail) => {
    const [finding] = checkInstallScripts([update(known({postinstall: `node x.js`}), [[`1.0.0`, NONE]], {run})], makePolicy({installScripts: mode}));
    expect(finding).toMatchObject({severity, detail, scriptsRun: run.runs});
  });

  it(`says nothing when off`, () => {
    expect(checkInstallScripts([update(known({postinstall: `node x.js`}), [[`1.0.0`, NONE]])], makePolicy({installScripts: `off`}))).toEqual([]);
  });

  it.each([
    [`the version approved`, [`lib@1.1.0`], 0],
    [`another version approved`, [`lib@1.0.0`], 1],
    [`another package approved`, [`other@1.1.0`], 1],
  ])(`with %s, reports %i finding(s)`, (_, approvedScripts, count) => {
    expect(checkInstallScripts([update(known({postinstall: `node x.js`}), [[`1.0.0`, NONE]])], makePolicy({approvedScripts}))).toHaveLength(count);
  });

  it(`fails closed when the registry cannot describe a version whose scripts would run`, () => {
    const findings = checkInstallScripts([update({kind: `unknown`, reason: `the registry answered 500`}, [[`1.0.0`, NONE]])], makePolicy());
    expect(findings).toEqual([expect.objectContaining({kind: `install-scripts-unknown`, severity: `error`, detail: `the registry answered 500`})]);
    expect(checkInstallScripts([update({kind: `unknown`, reason: `x`}, [[`1.0.0`, NONE]])], makePolicy({installScripts: `warn`}))[0].severity).toBe(`warning`);
  });

  it(`fails closed when the registry leaves the scripts out`, () => {
    const findings = checkInstallScripts([update({kind: `omitted`}, [[`1.0.0`, NONE]])], makePolicy());
    expect(findings).toEqual([expect.objectContaining({kind: `install-scripts-omitted`, severity: `error`, version: `1.1.0`, previousVersion: `1.0.0`})]);
    expect(checkInstallScripts([update({kind: `omitted`}, [[`1.0.0`, NONE]])], makePolicy({approvedScripts: [`lib@1.1.0`]}))).toEqual([]);
  });
});
