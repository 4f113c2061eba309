import {describe, expect, it} from 'vitest';

import {readBaseline} from '../../sources/yarn/baseline';

describe(`readBaseline`, () => {
  it(`names a Yarn 1 lockfile's aliases by the package they name`, () => {
    const baseline = readBaseline([
      `# yarn lockfile v1`,
      ``,
      `"axios@^1.2.0", "axios@^1.4.0":`,
      `  version "1.14.0"`,
      `"lodash@npm:plain-crypto-js@^4":`,
      `  version "4.2.0"`,
      `"@acme/http@npm:@other/client@^2":`,
      `  version "2.0.0"`,
      `"payload@github:acme/payload#0123abc":`,
      `  version "1.0.0"`,
      ``,
    ].join(`\n`));
    expect(Object.fromEntries(baseline.versionsByName)).toEqual({axios: [`1.14.0`], 'plain-crypto-js': [`4.2.0`], '@other/client': [`2.0.0`], payload: [`1.0.0`]});
    expect(baseline.workspaceDeclarations).toBeNull();
  });

  it(`lists what a workspace entry declared, and the packages its aliases and jsr: ranges name`, () => {
    const baseline = readBaseline([
      `__metadata:`,
      `  version: 8`,
      `  cacheKey: 10c0`,
      ``,
      `"app@workspace:.":`,
      `  version: 0.0.0-use.local`,
      `  resolution: "app@workspace:."`,
      `  dependencies:`,
      `    axios: "npm:^1.14.0"`,
      `    http: "npm:@other/client@^2"`,
      `    "@std/path": "jsr:^1.0.0"`,
      `  languageName: unknown`,
      `  linkType: soft`,
      ``,
    ].join(`\n`));
    expect(baseline.workspaceDeclarations?.map(({name, path, declared}) => ({name, path, declared: [...declared].sort()}))).toEqual([{name: `app`, path: `.`, declared: [`@jsr/std__path`, `@other/client`, `@std/path`, `axios`, `http`]}]);
  });
});
