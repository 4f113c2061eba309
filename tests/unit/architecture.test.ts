import {readdirSync, readFileSync, statSync} from 'fs';
import {dirname, join, relative, resolve} from 'path';
import {describe, expect, it} from 'vitest';

const SOURCES = resolve(__dirname, `../../sources`);

/** Every module specifier a file names: static imports and re-exports (type-only ones too), `require` and `import()`. */
const SPECIFIER = /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]|\bimport\s*['"]([^'"]+)['"]|\b(?:require|import)\s*\(\s*[`'"]([^`'"]+)[`'"]\s*\)/g;

function specifiersOf(text: string): Array<string> {
  const code = text.replace(/\/\*[\s\S]*?\*\/|(^|[^:])\/\/.*$/gm, `$1`);
  return [...code.matchAll(SPECIFIER)].map(match => match[1] ?? match[2] ?? match[3]);
}

function filesUnder(folder: string): Array<string> {
  return readdirSync(folder).flatMap(entry => {
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : path.endsWith(`.ts`) ? [path] : [];
  });
}

/** The import graph of a set of files, edges between them only (packages and JSON data are leaves), keyed by path relative to `root`. */
function importGraph(root: string, files: Record<string, string>): Map<string, Array<string>> {
  const graph = new Map<string, Array<string>>();
  for (const [file, text] of Object.entries(files)) {
    const targets = specifiersOf(text).filter(specifier => specifier.startsWith(`.`) && !specifier.endsWith(`.json`)).map(specifier => {
      const base = relative(root, resolve(root, dirname(file), specifier));
      return [`${base}.ts`, join(base, `index.ts`), base].find(candidate => candidate in files) ?? `${base} (missing)`;
    });
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** One cycle of the graph, as the files along it (the first repeated at the end), or null when it has none. */
function findCycle(graph: ReadonlyMap<string, ReadonlyArray<string>>): Array<string> | null {
  const state = new Map<string, `open` | `done`>();
  const stack: Array<string> = [];
  const visit = (file: string): Array<string> | null => {
    if (state.get(file) === `done`)
      return null;
    if (state.get(file) === `open`)
      return [...stack.slice(stack.indexOf(file)), file];
    state.set(file, `open`);
    stack.push(file);
    for (const target of graph.get(file) ?? []) {
      const cycle = visit(target);
      if (cycle !== null)
        return cycle;
    }
    stack.pop();
    state.set(file, `done`);
    return null;
  };
  for (const file of [...graph.keys()].sort()) {
    const cycle = visit(file);
    if (cycle !== null)
      return cycle;
  }
  return null;
}

function readSources(): Record<string, string> {
  return Object.fromEntries(filesUnder(SOURCES).map(path => [relative(SOURCES, path), readFileSync(path, `utf8`)]));
}

describe(`the import graph of sources/`, () => {
  const files = readSources();

  it(`has no cycle`, () => {
    expect(findCycle(importGraph(SOURCES, files))?.join(` -> `) ?? null).toBeNull();
  });

  it(`keeps the rules and the output formats pure: nothing under sources/rules or sources/formats imports Yarn`, () => {
    const impure = Object.entries(files)
      .filter(([file]) => file.startsWith(`rules/`) || file.startsWith(`formats/`))
      .flatMap(([file, text]) => specifiersOf(text).filter(specifier => specifier.startsWith(`@yarnpkg/`)).map(specifier => `${file} imports ${specifier}`));
    expect(impure).toEqual([]);
  });

  it(`keeps the rules pure: they read only other rules and the policy`, () => {
    const outside = [...importGraph(SOURCES, files)]
      .filter(([file]) => file.startsWith(`rules/`))
      .flatMap(([file, targets]) => targets.filter(target => !target.startsWith(`rules/`) && !target.startsWith(`policy/`)).map(target => `${file} imports ${target}`));
    expect(outside).toEqual([]);
  });

  it(`resolves every relative import to a file`, () => {
    const missing = [...importGraph(SOURCES, files)].flatMap(([file, targets]) => targets.filter(target => target.endsWith(`(missing)`)).map(target => `${file} -> ${target}`));
    expect(missing).toEqual([]);
  });
});

describe(`the architecture check itself`, () => {
  it(`finds a cycle through a type-only import, and none in a chain`, () => {
    const cyclic = {
      'a.ts': `import {b} from './b';`,
      'b.ts': `import type {C} from './sub/c';`,
      'sub/c.ts': `export {a} from '../a';`,
    };
    expect(findCycle(importGraph(`/x`, cyclic))).toEqual([`a.ts`, `b.ts`, `sub/c.ts`, `a.ts`]);
    expect(findCycle(importGraph(`/x`, {...cyclic, 'sub/c.ts': `// import {a} from '../a';\nexport const c = 1;`}))).toBeNull();
  });

  it(`reads every form of import`, () => {
    expect(specifiersOf([
      `import {a, type B} from './a';`,
      `import type {C} from '@yarnpkg/core';`,
      `import {\n  d,\n  e,\n} from "./d";`,
      `import './side-effect';`,
      `export * from './f';`,
      `const g = require(\`@yarnpkg/plugin-g\`);`,
      `const h = await import('./h');`,
      `/* import {x} from './commented'; */`,
    ].join(`\n`))).toEqual([`./a`, `@yarnpkg/core`, `./d`, `./side-effect`, `./f`, `@yarnpkg/plugin-g`, `./h`]);
  });
});
