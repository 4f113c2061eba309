import {describe, expect, it} from 'vitest';

import {approvesSource, matchesPattern, parsePattern} from '../../sources/policy/pattern';

describe(`parsePattern`, () => {
  it.each([
    [`lodash`, `lodash`, `4.17.21`, true],
    [`lodash`, `lodash-es`, `4.17.21`, false],
    [`@acme/*`, `@acme/lib`, `1.0.0`, true],
    [`@acme/*`, `@acme-evil/lib`, `1.0.0`, false],
    [`@acme/*`, `@other/lib`, `1.0.0`, false],
    [`eslint-plugin-*`, `eslint-plugin-react`, `7.0.0`, true],
    [`eslint-plugin-*`, `@scope/eslint-plugin-react`, `7.0.0`, false],
    [`*`, `@scope/name`, `1.0.0`, false],
    [`**`, `@scope/name`, `1.0.0`, true],
    [`axios@1.15.3`, `axios`, `1.15.3`, true],
    [`axios@1.15.3`, `axios`, `1.14.1`, false],
    [`@acme/*@^2.0.0`, `@acme/lib`, `2.3.0`, true],
    [`@acme/*@^2.0.0`, `@acme/lib`, `3.0.0`, false],
    [`axios@^1.0.0`, `axios`, `1.2.0-beta.1`, false],
    [`axios@1.2.0-beta.1`, `axios`, `1.2.0-beta.1`, true],
    [`lodash.merge`, `lodashxmerge`, `1.0.0`, false],
    [`react?dom`, `react-dom`, `18.0.0`, true],
  ])(`%j against %s@%s is %s`, (source, name, version, expected) => {
    const pattern = parsePattern(source);
    expect(pattern).not.toBeNull();
    expect(matchesPattern(pattern!, name, version)).toBe(expected);
  });

  it.each([``, `@`, `axios@`, `axios@not a range!`, `@scope`, `a b`, `../evil`, `@/x`, `name@^1@^2`, `lib@npm:^1.0.0`, `lib@workspace:^`, `lib@https://has a space`])(`%j is rejected`, source => {
    expect(parsePattern(source)).toBeNull();
  });
});

describe(`a pattern naming a source outside the registry`, () => {
  const url = `https://example.test/payload-1.0.0.tgz`;

  it.each([
    [`payload@${url}`, `payload`, url, true],
    [`payload@${url}`, `payload`, `https://example.test/payload-1.0.1.tgz`, false],
    [`payload@${url}`, `other`, url, false],
    [`tool@git+https://example.test/tool.git#v1`, `tool`, `git+https://example.test/tool.git#v1`, true],
    [`gen@exec:./gen.js`, `gen`, `exec:./gen.js`, true],
    [`vendored@./vendor/pkg`, `vendored`, `./vendor/pkg`, true],
    [`payload`, `payload`, url, false],
  ])(`%j approves %s@%s: %s`, (text, name, range, expected) => {
    expect(approvesSource([parsePattern(text)!], name, range)).toBe(expected);
  });

  it(`covers no registry version of that name`, () => {
    expect(matchesPattern(parsePattern(`payload@${url}`)!, `payload`, `1.0.0`)).toBe(false);
  });
});
