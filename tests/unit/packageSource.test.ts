import {structUtils} from '@yarnpkg/core';
import {describe, expect, it} from 'vitest';

import {declaredPackageName, declaredSourceOf, displayRange, fetchedLocatorOf, npmSelectorOf, npmVersionOf, packageNameOf, resolvedSourceOf, sourceLabelOf} from '../../sources/yarn/packageSource';

describe(`sourceLabelOf`, () => {
  it.each([
    [`git+https://example.test/a/b.git`, `git`],
    [`git+ssh://git@example.test/a/b.git#v1`, `git`],
    [`git@example.test:a/b.git`, `git`],
    [`git://127.0.0.1:9418/payload.git#abc`, `git`],
    [`github:a/b`, `git`],
    [`a/b#main`, `git`],
    [`https://example.test/a/b.git`, `git`],
    [`https://example.test/pkg-1.0.0.tgz`, `a tarball URL`],
    [`http://127.0.0.1:4873/pkg/-/pkg-1.0.0.tgz`, `a tarball URL`],
    [`file:../pkg`, `file:`],
    [`./vendor/pkg`, `file:`],
    [`exec:./generate.js`, `exec:`],
    [`exec:./generate.js::locator=app%40workspace%3A.`, `exec:`],
    [`link:../pkg`, `link:`],
    [`portal:../pkg`, `portal:`],
    [`patch:pkg@https%3A//example.test/pkg.tgz#./fix.patch`, `a tarball URL`],
    [`npm:^1.0.0`, null],
    [`npm:other@^1.0.0`, null],
    [`npm:latest`, null],
    [`workspace:^`, null],
    [`patch:pkg@npm%3A1.0.0#./fix.patch`, `a patch`],
    [`patch:pkg@npm%3A1.0.0#~/.yarn/patches/pkg.patch::locator=payload%40git%3A%2F%2Fevil.test%2Fp.git%23commit%3Dabc`, `a patch`],
    [`patch:typescript@npm%3A^5.9.3#optional!builtin<compat/typescript>`, null],
    [`npm:dep@https://example.test/payload.tgz`, `a tarball URL`],
    [`npm:dep@git+https://example.test/payload.git`, `git`],
    [`npm:@scope/dep@^2.0.0`, null],
    [`npm:@scope/dep@file:../x`, `file:`],
    [`patch:dep@npm%3Adep%40https%3A//example.test/p.tgz#./fix.patch`, `a tarball URL`],
    [`patch:fsevents@npm%3A^2.3.2#optional!builtin<compat/fsevents>`, null],
    [`^1.2.3`, null],
    [`jsr:^1.0.0`, null],
    [`weird:thing`, `an unknown protocol`],
  ])(`%s is %s`, (range, label) => {
    expect(sourceLabelOf(`dep`, range)).toBe(label);
  });
});

describe(`declaredSourceOf`, () => {
  it.each([
    [`lib`, `npm:^1.0.0`, {kind: `registry`, protocol: `npm:`, name: `lib`, selector: `^1.0.0`}],
    [`http-client`, `npm:axios@^1`, {kind: `registry`, protocol: `npm:`, name: `axios`, selector: `^1`}],
    [`lib`, `npm:latest`, {kind: `registry`, protocol: `npm:`, name: `lib`, selector: `latest`}],
    [`typescript`, `patch:typescript@npm%3A^5.9.3#optional!builtin<compat/typescript>`, {kind: `registry`, protocol: `npm:`, name: `typescript`, selector: `^5.9.3`}],
    [`lib`, `jsr:^1.0.0`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/lib`, selector: `^1.0.0`}],
    [`@std/path`, `jsr:^1.0.0`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, selector: `^1.0.0`}],
    [`path`, `jsr:@std/path@^1`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, selector: `^1`}],
    [`@std/path`, `jsr:1.0.0 || 2.0.0`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, selector: `1.0.0 || 2.0.0`}],
    [`packed`, `file:./packed.tgz::locator=app%40workspace%3A.`, {kind: `other`, label: `file:`, source: `file:./packed.tgz`, git: null}],
    [`lib`, `workspace:^`, {kind: `workspace`}],
    [`dl`, `http://127.0.0.1:4873/dl/-/dl-1.0.0.tgz`, {kind: `other`, label: `a tarball URL`, source: `http://127.0.0.1:4873/dl/-/dl-1.0.0.tgz`, git: null}],
    [`gen`, `exec:./gen.js::locator=app%40workspace%3A.`, {kind: `other`, label: `exec:`, source: `exec:./gen.js`, git: null}],
    [`payload`, `github:acme/payload#0123abc`, {kind: `other`, label: `git`, source: `github:acme/payload#0123abc`, git: {repository: `https://github.com/acme/payload.git`, commit: null}}],
    [`payload`, `git://127.0.0.1:9418/payload.git#commit=0123abc`, {kind: `other`, label: `git`, source: `git://127.0.0.1:9418/payload.git#commit=0123abc`, git: {repository: `git://127.0.0.1:9418/payload.git`, commit: `0123abc`}}],
  ])(`%s@%s`, (name, range, expected) => {
    expect(declaredSourceOf(name, range)).toEqual(expected);
  });
});

describe(`resolvedSourceOf`, () => {
  const locator = (text: string) => structUtils.parseLocator(text, true);

  it.each([
    [`lib@npm:1.0.0`, {kind: `registry`, protocol: `npm:`, name: `lib`, version: `1.0.0`, archiveUrl: null}],
    [`lib@npm:1.0.0::__archiveUrl=https%3A%2F%2Fexample.test%2Flib-1.0.1.tgz`, {kind: `registry`, protocol: `npm:`, name: `lib`, version: `1.0.0`, archiveUrl: `https://example.test/lib-1.0.1.tgz`}],
    [`typescript@patch:typescript@npm%3A5.9.3#optional!builtin<compat/typescript>::version=5.9.3&hash=5786d5`, {kind: `registry`, protocol: `npm:`, name: `typescript`, version: `5.9.3`, archiveUrl: null}],
    [`lib@virtual:0123456789abcdef#npm:1.0.0`, {kind: `registry`, protocol: `npm:`, name: `lib`, version: `1.0.0`, archiveUrl: null}],
    [`lib@http://127.0.0.1:4873/lib/-/lib-1.0.1.tgz`, {kind: `other`, label: `a tarball URL`, reference: `http://127.0.0.1:4873/lib/-/lib-1.0.1.tgz`, git: null}],
    [`lib@git://127.0.0.1:9418/lib.git#commit=0123abc`, {kind: `other`, label: `git`, reference: `git://127.0.0.1:9418/lib.git#commit=0123abc`, git: {repository: `git://127.0.0.1:9418/lib.git`, commit: `0123abc`}}],
    [`app@workspace:.`, {kind: `workspace`}],
    [`packed@file:./packed.tgz#./packed.tgz::hash=e5aa1c&locator=app%40workspace%3A.`, {kind: `other`, label: `file:`, reference: `file:./packed.tgz`, git: null}],
    [`gen@exec:./gen.js#./gen.js::hash=1f2e3d&locator=app%40workspace%3A.`, {kind: `other`, label: `exec:`, reference: `exec:./gen.js`, git: null}],
    [`lib@npm:not-a-version`, {kind: `other`, label: `an unknown protocol`, reference: `npm:not-a-version`, git: null}],
    [`@std/path@jsr:1.0.0`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, version: `1.0.0`, archiveUrl: null}],
    [`@std/path@jsr:1.0.0::__archiveUrl=https%3A%2F%2Fjsr.test%2F~%2F11%2F%40jsr%2Fstd__path%2F1.0.0.tgz`, {kind: `registry`, protocol: `jsr:`, name: `@jsr/std__path`, version: `1.0.0`, archiveUrl: `https://jsr.test/~/11/@jsr/std__path/1.0.0.tgz`}],
  ])(`%s`, (text, expected) => {
    expect(resolvedSourceOf(locator(text))).toEqual(expected);
  });

  it(`gives the npm version behind an alias and a patch`, () => {
    expect(npmVersionOf(locator(`lib@patch:lib@npm%3A1.0.0#./fix.patch::version=1.0.0&hash=abc`))).toEqual({name: `lib`, version: `1.0.0`, archiveUrl: null, protocol: `npm:`});
    expect(resolvedSourceOf(locator(`lib@patch:lib@npm%3A1.0.0#./fix.patch::version=1.0.0&hash=abc`))).toMatchObject({kind: `registry`, name: `lib`, version: `1.0.0`, patch: `./fix.patch`});
    expect(npmVersionOf(locator(`lib@http://example.test/lib.tgz`))).toBeNull();
  });

  it(`gives the @jsr/ npm version Yarn fetches for a jsr: package, and names it so`, () => {
    expect(npmVersionOf(locator(`@std/path@jsr:1.1.0`))).toEqual({name: `@jsr/std__path`, version: `1.1.0`, archiveUrl: null, protocol: `jsr:`});
    expect(npmVersionOf(locator(`@std/path@patch:@std/path@jsr%3A1.1.0#./fix.patch::version=1.1.0&hash=abc`))).toEqual({name: `@jsr/std__path`, version: `1.1.0`, archiveUrl: null, protocol: `jsr:`});
    expect(packageNameOf(locator(`@std/path@jsr:1.1.0`))).toBe(`@jsr/std__path`);
    expect(packageNameOf(locator(`@jsr/std__path@npm:1.1.0`))).toBe(`@jsr/std__path`);
    expect(packageNameOf(locator(`@std/path@npm:1.1.0`))).toBe(`@std/path`);
    expect(packageNameOf(locator(`app@workspace:.`))).toBe(`app`);
  });
});

describe(`displayRange`, () => {
  it.each([
    [`npm:^4.2.1`, `^4.2.1`],
    [`npm:plain-crypto-js@^4.2.1`, `^4.2.1`],
    [`jsr:^1.0.0`, `^1.0.0`],
    [`jsr:@std/path@^1`, `^1`],
    [`portal:/tmp/helper::locator=app%40workspace%3A.`, `portal:/tmp/helper`],
    [`http://example.test/x.tgz`, `http://example.test/x.tgz`],
  ])(`%s reads %s`, (range, shown) => {
    expect(displayRange(range)).toBe(shown);
  });
});

describe(`declaredPackageName`, () => {
  it.each([
    [`lodash`, `npm:plain-crypto-js@^4`, `plain-crypto-js`],
    [`@acme/http`, `npm:@other/axios@^1.0.0`, `@other/axios`],
    [`axios`, `^1.2.0`, `axios`],
    [`axios`, `npm:^1.2.0`, `axios`],
    [`lib`, `npm:next`, `lib`],
    [`@std/path`, `jsr:^1.0.0`, `@jsr/std__path`],
    [`payload`, `github:acme/payload#0123abc`, `payload`],
    [`lib`, `workspace:^`, `lib`],
  ])(`%s@%s names %s`, (name, range, expected) => {
    expect(declaredPackageName(name, range)).toBe(expected);
  });
});

describe(`npmSelectorOf`, () => {
  it.each([
    [`npm:^1.2.0`, `^1.2.0`],
    [`npm:latest`, `latest`],
    [`^1.2.0`, `^1.2.0`],
  ])(`%s reads %s`, (range, selector) => {
    expect(npmSelectorOf(range)).toBe(selector);
  });
});

describe(`fetchedLocatorOf`, () => {
  const locator = (text: string) => structUtils.parseLocator(text, true);

  it(`fetches a jsr: package as its @jsr/ npm locator, bindings kept, and anything else as itself`, () => {
    expect(structUtils.stringifyLocator(fetchedLocatorOf(locator(`@std/path@jsr:1.1.0::__archiveUrl=https%3A%2F%2Fjsr.test%2Fx.tgz`)))).toBe(`@jsr/std__path@npm:1.1.0::__archiveUrl=https%3A%2F%2Fjsr.test%2Fx.tgz`);
    const npm = locator(`lib@npm:1.0.0`);
    expect(fetchedLocatorOf(npm)).toBe(npm);
    const patched = locator(`@std/path@patch:@std/path@jsr%3A1.1.0#./fix.patch::version=1.1.0&hash=abc`);
    expect(fetchedLocatorOf(patched)).toBe(patched);
  });
});
