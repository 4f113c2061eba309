import {Configuration} from '@yarnpkg/core';
import {ppath} from '@yarnpkg/fslib';
import {describe, expect, it} from 'vitest';

import type {SettingSource} from '../../sources/policy/policy';
import {settings} from '../../sources/settings';
import {checkHeaderLine, invalidValueSource, outsideWarning, policyLineOrigin, settingSourceToJson} from '../../sources/yarn/settingSource';

const configuration = Configuration.create(ppath.cwd(), new Map([[`yarn-plugin-quarantine`, {configuration: settings}]]));
configuration.values.set(`enableColors`, false);

const project = `/p/.yarnrc.yml`;
const home = `/home/u/.yarnrc.yml, outside the project`;
const sources: Record<string, SettingSource> = {
  default: {setting: `quarantineLockfile`, from: `default`, source: `default`, origins: [], described: [], partly: false},
  project: {setting: `quarantinePeriod`, from: `files`, source: project, origins: [], described: [], partly: false},
  environment: {setting: `quarantinePeriod`, from: `environment`, source: `YARN_QUARANTINE_PERIOD`,
    origins: [`YARN_QUARANTINE_PERIOD`], described: [`YARN_QUARANTINE_PERIOD`], partly: false},
  home: {setting: `quarantinePeriod`, from: `files`, source: `/home/u/.yarnrc.yml`, origins: [`/home/u/.yarnrc.yml`], described: [home], partly: false},
  merged: {setting: `quarantineExemptPackages`, from: `files`, source: `/home/u/.yarnrc.yml, ${project}`,
    origins: [`/home/u/.yarnrc.yml`], described: [home], partly: true},
};

// The same source, told in each place that tells it.
describe.each([
  [`default`, ``, null, `Policy: quarantineLockfile verify (default)`, false, ``, `Fix the value in .yarnrc.yml`],
  [`project`, ``, null, `Policy: quarantinePeriod verify (/p/.yarnrc.yml)`, false, ` (from /p/.yarnrc.yml)`, `Fix the value in .yarnrc.yml`],
  [`environment`, ` (set by YARN_QUARANTINE_PERIOD)`,
    `quarantinePeriod was set by an environment variable (YARN_QUARANTINE_PERIOD), not by .yarnrc.yml`,
    `Policy: quarantinePeriod verify (YARN_QUARANTINE_PERIOD): set by the environment, not by the repository`, true,
    ` (from YARN_QUARANTINE_PERIOD)`, `Fix or unset YARN_QUARANTINE_PERIOD`],
  [`home`, ` (set by ${home})`, `quarantinePeriod was set by ${home}, not by its own .yarnrc.yml`,
    `Policy: quarantinePeriod verify (/home/u/.yarnrc.yml): set by ${home}, not by the repository's .yarnrc.yml`, true,
    ` (from /home/u/.yarnrc.yml)`, `Fix the value in .yarnrc.yml`],
  [`merged`, ` (partly set by ${home})`, `quarantineExemptPackages has entries from ${home}, besides its own .yarnrc.yml`,
    `Policy: quarantineExemptPackages verify (/home/u/.yarnrc.yml, /p/.yarnrc.yml): partly set by ${home}, besides the repository's .yarnrc.yml`, true,
    ` (from /home/u/.yarnrc.yml, /p/.yarnrc.yml)`, `Fix the value in .yarnrc.yml`],
])(`a setting from %s`, (name, origin, warning, header, outside, where, fix) => {
  const source = sources[name];
  it(`is told in the policy line and its warning`, () => {
    expect(policyLineOrigin(source)).toBe(origin);
    if (warning !== null)
      expect(outsideWarning(source)).toBe(warning);
  });
  it(`is told in check's header and its JSON`, () => {
    expect(checkHeaderLine(source, `verify`)).toEqual({line: header, outside});
    expect(settingSourceToJson(source, `verify`)).toEqual({setting: source.setting, value: `verify`, source: source.source,
      fromEnvironment: name === `environment`, outsideProject: source.origins, described: source.described, partly: source.partly});
  });
  it(`is told in the error of an invalid value`, () => {
    expect(invalidValueSource(configuration, source)).toEqual({where, fix});
  });
});

it(`shows a list's value in check's header`, () => {
  expect(checkHeaderLine(sources.default, [`lodash`, `@acme/*`]).line).toBe(`Policy: quarantineLockfile [lodash, @acme/*] (default)`);
});
