import {structUtils} from '@yarnpkg/core';
import {describe, expect, it} from 'vitest';

import {jsrNameOf, jsrPackageName} from '../../sources/rules/jsr';

describe(`jsr names`, () => {
  it.each([
    [`@std/path`, `@jsr/std__path`],
    [`@luca/cases`, `@jsr/luca__cases`],
    [`lib`, `@jsr/lib`],
    [`@jsr/std__path`, `@jsr/jsr__std__path`],
  ])(`%s is served as %s, as Yarn's own conversion has it, and back`, (name, served) => {
    expect(jsrPackageName(name)).toBe(served);
    expect(structUtils.stringifyIdent(structUtils.wrapIdentIntoScope(structUtils.parseIdent(name), `jsr`))).toBe(served);
    expect(jsrNameOf(served)).toBe(name);
    expect(structUtils.stringifyIdent(structUtils.unwrapIdentFromScope(structUtils.parseIdent(served), `jsr`))).toBe(name);
  });

  it(`names nothing outside the @jsr scope`, () => {
    expect(jsrNameOf(`@std/path`)).toBeNull();
    expect(jsrNameOf(`lodash`)).toBeNull();
  });
});
