import {describe, expect, it} from 'vitest';

import {checkExoticSource} from '../../sources/rules/exoticSources';
import {type BaselineWorkspace, checkNewDependencies, checkNonRegistrySources, type GraphNode, type NewDependencyFacts, shortestPaths, workspaceDeclaredBefore, workspacesDeclaredBefore} from '../../sources/rules/newDependencies';
import type {SourceLabel} from '../../sources/rules/source';
import {makePolicy} from './policyFixture';

type Spec = Record<string, {deps?: Array<string | [string, {as?: string, optional?: boolean, range?: string}]>, workspace?: boolean, conditions?: string, source?: SourceLabel, locked?: boolean}>;

/** Builds a graph from `name@version` keys; edges name their target by key. */
function graph(spec: Spec): Map<string, GraphNode> {
  return new Map(Object.entries(spec).map(([id, node]) => {
    const [name, version] = id.startsWith(`@`) ? [`@${id.slice(1).split(`@`)[0]}`, id.slice(1).split(`@`)[1]] : id.split(`@`);
    return [id, {
      id,
      label: id,
      name,
      version,
      isWorkspace: node.workspace === true,
      conditions: node.conditions ?? null,
      source: node.source ?? null,
      locked: node.locked ?? false,
      dependencies: (node.deps ?? []).map(dep => {
        const [to, options] = typeof dep === `string` ? [dep, {}] : dep;
        const targetName = to.startsWith(`@`) ? `@${to.slice(1).split(`@`)[0]}` : to.split(`@`)[0];
        return {to, declaredName: options.as ?? targetName, range: options.range ?? `^${to.split(`@`).pop()}`, optional: options.optional === true};
      }),
    }];
  }));
}

function facts(spec: Spec, baseline: Record<string, Array<string>> | null, overrides: Partial<NewDependencyFacts> = {}): NewDependencyFacts {
  const nodes = graph(spec);
  const declared = new Map<string, ReadonlySet<string> | null>();
  for (const node of nodes.values())
    if (node.isWorkspace)
      declared.set(node.id, new Set(node.dependencies.map(edge => edge.declaredName)));
  return {baseline: baseline === null ? null : new Map(Object.entries(baseline)), nodes, baselineDeclarations: declared, listed: new Set(), listedSources: new Set(), paths: shortestPaths(nodes, declared.keys()), ...overrides};
}

const AXIOS_UPDATE: Spec = {
  'app@1.0.0': {workspace: true, deps: [`axios@1.14.1`]},
  'axios@1.14.1': {deps: [`follow-redirects@1.15.9`, `plain-crypto-js@4.2.1`]},
  'follow-redirects@1.15.9': {},
  'plain-crypto-js@4.2.1': {deps: [`crypto-helper@1.0.0`]},
  'crypto-helper@1.0.0': {deps: [`crypto-core@1.0.0`]},
  'crypto-core@1.0.0': {},
};
const BEFORE = {app: [`1.0.0`], axios: [`1.14.0`], 'follow-redirects': [`1.15.9`]};

describe(`checkNewDependencies`, () => {
  it(`flags the package an update brought in, with the parent's old and new version and what came with it`, () => {
    const [finding, ...rest] = checkNewDependencies(facts(AXIOS_UPDATE, BEFORE), makePolicy());
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({
      rule: `new-dependency`,
      kind: `new-sub-dependency`,
      severity: `error`,
      name: `plain-crypto-js`,
      version: `4.2.1`,
      range: `^4.2.1`,
      parent: {name: `axios`, version: `1.14.1`, baselineVersions: [`1.14.0`]},
      path: [`app@1.0.0`, `axios@1.14.1`, `plain-crypto-js@4.2.1`],
      bringsAlong: 2,
    });
  });

  it.each([
    [`no lockfile: no baseline, silent`, facts(AXIOS_UPDATE, null), makePolicy(), []],
    [`the rule off`, facts(AXIOS_UPDATE, BEFORE), makePolicy({newDependencies: `off`}), []],
    [`warn mode`, facts(AXIOS_UPDATE, BEFORE), makePolicy({newDependencies: `warn`}), [`plain-crypto-js:warning`]],
    [`approved by name`, facts(AXIOS_UPDATE, BEFORE), makePolicy({approved: [`plain-crypto-js`]}), []],
    [`approved for another range`, facts(AXIOS_UPDATE, BEFORE), makePolicy({approved: [`plain-crypto-js@^5.0.0`]}), [`plain-crypto-js:error`]],
    [`approved by a scope glob`, facts({'app@1.0.0': {workspace: true, deps: [`a@1.0.0`]}, 'a@1.0.0': {deps: [`@x/y@1.0.0`]}, '@x/y@1.0.0': {}}, {app: [`1.0.0`], a: [`1.0.0`]}), makePolicy({approved: [`@x/*`]}), []],
    [`listed by the user (workspace, resolutions, packageExtensions)`, facts(AXIOS_UPDATE, BEFORE, {listed: new Set([`plain-crypto-js`])}), makePolicy(), []],
    [`already in the baseline`, facts(AXIOS_UPDATE, {...BEFORE, 'plain-crypto-js': [`4.2.0`]}), makePolicy(), [`crypto-helper:error`]],
  ])(`%s`, (_, input, policy, expected) => {
    expect(checkNewDependencies(input, policy).map(finding => `${finding.name}:${finding.severity}`)).toEqual(expected);
  });

  it(`leaves the subtree of a newly declared dependency to the user`, () => {
    const spec: Spec = {
      'app@1.0.0': {workspace: true, deps: [`axios@1.14.0`, `express@5.0.0`]},
      'axios@1.14.0': {},
      'express@5.0.0': {deps: [`body-parser@2.0.0`]},
      'body-parser@2.0.0': {},
    };
    const input = facts(spec, {app: [`1.0.0`], axios: [`1.14.0`]}, {baselineDeclarations: new Map([[`app@1.0.0`, new Set([`axios`])]])});
    expect(checkNewDependencies(input, makePolicy())).toEqual([]);
  });

  it(`still flags a package reached through an old dependency even when a new one also reaches it`, () => {
    const spec: Spec = {
      'app@1.0.0': {workspace: true, deps: [`express@5.0.0`, `axios@1.14.1`]},
      'express@5.0.0': {deps: [`plain-crypto-js@4.2.1`]},
      'axios@1.14.1': {deps: [`plain-crypto-js@4.2.1`]},
      'plain-crypto-js@4.2.1': {},
    };
    const input = facts(spec, {app: [`1.0.0`], axios: [`1.14.0`]}, {baselineDeclarations: new Map([[`app@1.0.0`, new Set([`axios`])]])});
    expect(checkNewDependencies(input, makePolicy()).map(finding => [finding.parent?.name, finding.path])).toEqual([[`axios`, [`app@1.0.0`, `axios@1.14.1`, `plain-crypto-js@4.2.1`]]]);
  });

  it(`shows the path to the parent that every command shows, the shortest from a workspace, even through a new dependency`, () => {
    const spec: Spec = {
      'app@1.0.0': {workspace: true, deps: [`x@1.0.0`, `tools@1.0.0`]},
      'x@1.0.0': {deps: [`y@1.0.0`]},
      'y@1.0.0': {deps: [`axios@1.14.1`]},
      'tools@1.0.0': {deps: [`axios@1.14.1`]},
      'axios@1.14.1': {deps: [`plain-crypto-js@4.2.1`]},
      'plain-crypto-js@4.2.1': {},
    };
    const input = facts(spec, {app: [`1.0.0`], x: [`1.0.0`], y: [`1.0.0`], axios: [`1.14.0`]}, {baselineDeclarations: new Map([[`app@1.0.0`, new Set([`x`])]])});
    expect(checkNewDependencies(input, makePolicy()).map(finding => finding.path)).toEqual([[`app@1.0.0`, `tools@1.0.0`, `axios@1.14.1`, `plain-crypto-js@4.2.1`]]);
  });

  it(`identifies packages by resolved name, never by alias`, () => {
    const aliasToNew: Spec = {
      'app@1.0.0': {workspace: true, deps: [`axios@1.14.1`]},
      'axios@1.14.1': {deps: [[`plain-crypto-js@4.2.1`, {as: `lodash`, range: `npm:plain-crypto-js@^4`}]]},
      'plain-crypto-js@4.2.1': {},
    };
    expect(checkNewDependencies(facts(aliasToNew, {app: [`1.0.0`], axios: [`1.14.0`], lodash: [`4.17.21`]}), makePolicy()).map(finding => finding.name)).toEqual([`plain-crypto-js`]);

    const aliasToOld: Spec = {
      'app@1.0.0': {workspace: true, deps: [`ui@2.0.0`]},
      'ui@2.0.0': {deps: [[`react-is@18.0.0`, {as: `react-is-18`}]]},
      'react-is@18.0.0': {},
    };
    expect(checkNewDependencies(facts(aliasToOld, {app: [`1.0.0`], ui: [`1.0.0`], 'react-is': [`16.0.0`]}), makePolicy())).toEqual([]);
  });

  it(`says an optional platform package is optional and for which platform`, () => {
    const spec: Spec = {
      'app@1.0.0': {workspace: true, deps: [`esbuild@0.25.0`]},
      'esbuild@0.25.0': {deps: [[`@esbuild/linux-x64@0.25.0`, {optional: true}]]},
      '@esbuild/linux-x64@0.25.0': {conditions: `os=linux & cpu=x64`},
    };
    const [finding] = checkNewDependencies(facts(spec, {app: [`1.0.0`], esbuild: [`0.24.0`]}), makePolicy());
    expect(finding).toMatchObject({name: `@esbuild/linux-x64`, optional: true, conditions: `os=linux & cpu=x64`});
  });

  it(`ignores packages hanging only under a new package, counting them on its finding`, () => {
    const findings = checkNewDependencies(facts(AXIOS_UPDATE, BEFORE), makePolicy());
    expect(findings.map(finding => finding.name)).toEqual([`plain-crypto-js`]);
    expect(findings[0].bringsAlong).toBe(2);
  });

  it(`treats a workspace the baseline did not have as declaring everything anew`, () => {
    const spec: Spec = {
      'app@1.0.0': {workspace: true, deps: [`axios@1.14.1`]},
      'axios@1.14.1': {deps: [`plain-crypto-js@4.2.1`]},
      'plain-crypto-js@4.2.1': {},
    };
    const input = facts(spec, {axios: [`1.14.0`]}, {baselineDeclarations: new Map([[`app@1.0.0`, null]])});
    expect(checkNewDependencies(input, makePolicy())).toEqual([]);
  });
});

describe(`workspaceDeclaredBefore`, () => {
  const before: Array<BaselineWorkspace> = [
    {name: `app`, path: `.`, declared: new Set([`tools`])},
    {name: `a`, path: `packages/a`, declared: new Set([`lib-a`])},
    {name: `b`, path: `packages/b`, declared: new Set([`lib-b`])},
    {name: `@acme/c`, path: `packages/c`, declared: new Set([`lib-c`])},
  ];

  it.each([
    [`unchanged`, {name: `a`, path: `packages/a`}, [`lib-a`]],
    [`renamed, same path`, {name: `a2`, path: `packages/a`}, [`lib-a`]],
    [`moved, same name`, {name: `a`, path: `libs/a`}, [`lib-a`]],
    [`the root renamed`, {name: `app2`, path: `.`}, [`tools`]],
    [`a scoped workspace moved`, {name: `@acme/c`, path: `libs/c`}, [`lib-c`]],
    [`moved onto a removed workspace's path: both entries count`, {name: `a`, path: `packages/b`}, [`lib-a`, `lib-b`]],
    [`renamed to a removed workspace's name: both entries count`, {name: `b`, path: `packages/a`}, [`lib-a`, `lib-b`]],
    [`found under neither: new`, {name: `d`, path: `packages/d`}, null],
    [`renamed and moved at once: found under neither, so new`, {name: `a2`, path: `libs/a2`}, null],
    [`the same name in another scope is another name`, {name: `@other/c`, path: `libs/c`}, null],
  ])(`%s`, (_, workspace, expected) => {
    const declared = workspaceDeclaredBefore(workspace, before);
    expect(declared === null ? null : [...declared].sort()).toEqual(expected);
  });

  it.each([
    [`renamed and moved at once: takes what the one workspace no one matches declared`, [{id: `a2`, name: `a2`, path: `libs/a2`}, {id: `app`, name: `app`, path: `.`}, {id: `b`, name: `b`, path: `packages/b`}, {id: `@acme/c`, name: `@acme/c`, path: `packages/c`}], {a2: [`lib-a`]}],
    [`an unnamed workspace moved (Yarn derives its name from its path)`, [{id: `b-123`, name: `b-123`, path: `libs/b`}, {id: `app`, name: `app`, path: `.`}, {id: `a`, name: `a`, path: `packages/a`}, {id: `@acme/c`, name: `@acme/c`, path: `packages/c`}], {'b-123': [`lib-b`]}],
    [`two new workspaces in place of one removed: which one it became is unknown, so both are new`, [{id: `site`, name: `site`, path: `apps/site`}, {id: `blog`, name: `blog`, path: `apps/blog`}, {id: `app`, name: `app`, path: `.`}, {id: `b`, name: `b`, path: `packages/b`}, {id: `@acme/c`, name: `@acme/c`, path: `packages/c`}], {site: null, blog: null}],
    [`a new workspace while every baseline workspace is still there: new`, [{id: `d`, name: `d`, path: `packages/d`}, {id: `app`, name: `app`, path: `.`}, {id: `a`, name: `a`, path: `packages/a`}, {id: `b`, name: `b`, path: `packages/b`}, {id: `@acme/c`, name: `@acme/c`, path: `packages/c`}], {d: null}],
  ])(`across the project: %s`, (_, workspaces, expected) => {
    const declared = workspacesDeclaredBefore(workspaces, before);
    for (const [id, names] of Object.entries(expected)) {
      const got = declared.get(id);
      expect(got === null || got === undefined ? null : [...got].sort()).toEqual(names);
    }
  });

  it(`counts an alias of a dependency declared before as declared before: "lib-a-next": "npm:lib-a@^1.1.0"`, () => {
    const spec: Spec = {
      'a@1.0.0': {workspace: true, deps: [[`lib-a@1.1.0`, {as: `lib-a-next`}]]},
      'lib-a@1.1.0': {deps: [`evil@1.0.0`]},
      'evil@1.0.0': {},
    };
    const input = facts(spec, {a: [`1.0.0`], 'lib-a': [`1.0.0`]}, {baselineDeclarations: new Map([[`a@1.0.0`, new Set([`lib-a`])]])});
    expect(checkNewDependencies(input, makePolicy()).map(finding => finding.name)).toEqual([`evil`]);
  });

  it(`keeps the rule on for what an update brings under a renamed workspace`, () => {
    const spec: Spec = {
      'a2@1.0.0': {workspace: true, deps: [`lib-a@1.1.0`]},
      'lib-a@1.1.0': {deps: [`evil@1.0.0`]},
      'evil@1.0.0': {},
    };
    const declared = workspaceDeclaredBefore({name: `a2`, path: `packages/a`}, [{name: `a`, path: `packages/a`, declared: new Set([`lib-a`])}]);
    const input = facts(spec, {a: [`1.0.0`], 'lib-a': [`1.0.0`]}, {baselineDeclarations: new Map([[`a2@1.0.0`, declared]])});
    expect(checkNewDependencies(input, makePolicy()).map(finding => finding.name)).toEqual([`evil`]);
  });
});

describe(`checkExoticSource`, () => {
  const edge = {name: `evil`, range: `git+https://example.test/evil.git`, source: `git` as const, parent: {name: `axios`, version: `1.14.1`}, locked: false};
  const unlisted = {listedSources: new Set<string>()};

  it.each([
    [`a new git sub-dependency`, edge, unlisted, makePolicy(), [`error`]],
    [`warn mode`, edge, unlisted, makePolicy({newDependencies: `warn`}), [`warning`]],
    [`off`, edge, unlisted, makePolicy({newDependencies: `off`}), []],
    [`already locked`, {...edge, locked: true}, unlisted, makePolicy(), []],
    [`approved by name only, which does not cover a source outside the registry`, edge, unlisted, makePolicy({approved: [`evil`]}), [`error`]],
    [`approved as that very source`, edge, unlisted, makePolicy({approved: [`evil@git+https://example.test/evil.git`]}), []],
    [`approved as another source`, edge, unlisted, makePolicy({approved: [`evil@git+https://example.test/other.git`]}), [`error`]],
    [`approved only for a semver range, which a git source has not`, edge, unlisted, makePolicy({approved: [`evil@^1.0.0`]}), [`error`]],
    [`listed with this very source`, edge, {listedSources: new Set([`evil@git+https://example.test/evil.git`])}, makePolicy(), []],
    [`listed under the same name from the registry`, edge, {listedSources: new Set([`evil@npm:^1.0.0`])}, makePolicy(), [`error`]],
    [`a registry range`, {...edge, range: `^1.0.0`, source: null}, unlisted, makePolicy(), []],
  ])(`%s`, (_, subject, input, policy, severities) => {
    expect(checkExoticSource(subject, input, policy).map(finding => finding.severity)).toEqual(severities);
  });

  it(`prints the source to approve in the finding's range`, () => {
    expect(checkExoticSource(edge, unlisted, makePolicy())[0]).toMatchObject({kind: `exotic-source`, name: `evil`, range: `git+https://example.test/evil.git`, detail: `git`});
  });
});

describe(`checkNonRegistrySources`, () => {
  const spec = (payload: Spec[string]): Spec => ({
    'app@1.0.0': {workspace: true, deps: [`lib@1.0.1`, [`vendored@1.0.0`, {range: `file:./vendored`}]]},
    'lib@1.0.1': {deps: [[`payload@1.0.0`, {range: `https://example.test/payload.tgz`}]]},
    'payload@1.0.0': payload,
    'vendored@1.0.0': {source: `file:`},
  });
  const before = {app: [`1.0.0`], lib: [`1.0.0`], payload: [`1.0.0`], vendored: [`1.0.0`]};

  it.each([
    [`a new tarball under a package, even with a baseline name`, facts(spec({source: `a tarball URL`}), before), makePolicy(), [`payload:a tarball URL`]],
    [`the same source, locked before`, facts(spec({source: `a tarball URL`, locked: true}), before), makePolicy(), []],
    [`a registry package`, facts(spec({}), before), makePolicy(), []],
    [`approved by name only`, facts(spec({source: `a tarball URL`}), before), makePolicy({approved: [`payload`]}), [`payload:a tarball URL`]],
    [`approved as that very source`, facts(spec({source: `a tarball URL`}), before), makePolicy({approved: [`payload@https://example.test/payload.tgz`]}), []],
    [`listed with that source`, facts(spec({source: `a tarball URL`}), before, {listedSources: new Set([`payload@https://example.test/payload.tgz`])}), makePolicy(), []],
    [`no baseline: nothing was locked, so it is new`, facts(spec({source: `a tarball URL`}), null), makePolicy(), [`payload:a tarball URL`]],
    [`the rule off`, facts(spec({source: `a tarball URL`}), before), makePolicy({newDependencies: `off`}), []],
  ])(`%s`, (_, input, policy, expected) => {
    expect(checkNonRegistrySources(input, policy).map(finding => `${finding.name}:${finding.detail}`)).toEqual(expected);
  });
});
