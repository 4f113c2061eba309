import {spawn} from 'child_process';
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync} from 'fs';
import {tmpdir} from 'os';
import path from 'path';
import ts from 'typescript';
import {describe, expect, it} from 'vitest';

import {ReleaseTimeCache} from '../../sources/registry/releaseTimeCache';

const FORMAT = `yarn-plugin-quarantine/release-times@3`;
const file = () => path.join(mkdtempSync(path.join(tmpdir(), `release-times-`)), `quarantine`, `release-times.json`);
const key = (name: string) => ReleaseTimeCache.keyOf(`http://registry.test`, name, `1.0.0`);
const at = new Date(`2020-01-01T00:00:00.000Z`);
const DIGEST = `0123456789abcdef`;
const release = {publishedAt: at, dependencies: DIGEST, archiveUrl: ``, installScripts: {postinstall: `node install.js`}, trust: {publisher: true, trustedPublisher: false, provenance: true}, trustLine: {noEvidence: false, earlier: {version: `0.9.0`, rank: 2 as const, publishedAt: new Date(`2019-12-01T00:00:00.000Z`)}}};

/** The cache module as plain CommonJS, for child processes (it imports only Node's own modules). */
function compiledForChildProcesses() {
  const source = readFileSync(path.join(__dirname, `..`, `..`, `sources`, `registry`, `releaseTimeCache.ts`), `utf8`);
  const {outputText} = ts.transpileModule(source, {compilerOptions: {module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true}});
  const compiled = path.join(mkdtempSync(path.join(tmpdir(), `release-times-module-`)), `releaseTimeCache.cjs`);
  writeFileSync(compiled, outputText);
  return compiled;
}

describe(`ReleaseTimeCache`, () => {
  it(`persists what was learnt of a version for the next process`, async () => {
    const target = file();
    const first = new ReleaseTimeCache(target);
    first.update(key(`a`), release);
    await first.save();
    expect(new ReleaseTimeCache(target).get(key(`a`))).toEqual(release);
  });

  it(`adds to what it knows of a version, never forgets a field`, () => {
    const cache = new ReleaseTimeCache(file());
    cache.update(key(`a`), {dependencies: DIGEST, archiveUrl: `https://tarballs.example.test/a-1.0.0.tgz`});
    expect(cache.get(key(`a`))).toEqual({publishedAt: null, dependencies: DIGEST, archiveUrl: `https://tarballs.example.test/a-1.0.0.tgz`, installScripts: null, trust: null, trustLine: null});
    cache.update(key(`a`), {publishedAt: at, dependencies: null, installScripts: {}});
    expect(cache.get(key(`a`))).toEqual({publishedAt: at, dependencies: DIGEST, archiveUrl: `https://tarballs.example.test/a-1.0.0.tgz`, installScripts: {}, trust: null, trustLine: null});
    cache.update(key(`a`), {trust: {publisher: false, trustedPublisher: false, provenance: false}});
    expect(cache.get(key(`a`))).toMatchObject({installScripts: {}, trust: {publisher: false, trustedPublisher: false, provenance: false}});
  });

  it(`keeps what another process wrote meanwhile`, async () => {
    const target = file();
    const one = new ReleaseTimeCache(target);
    const two = new ReleaseTimeCache(target);
    one.get(key(`x`));
    two.get(key(`x`));
    one.update(key(`a`), release);
    two.update(key(`b`), release);
    await one.save();
    await two.save();
    const reader = new ReleaseTimeCache(target);
    expect(reader.get(key(`a`))).toEqual(release);
    expect(reader.get(key(`b`))).toEqual(release);
  });

  it(`merges what two processes learnt of one version field by field`, async () => {
    const target = file();
    const one = new ReleaseTimeCache(target);
    const two = new ReleaseTimeCache(target);
    one.get(key(`a`));
    two.get(key(`a`));
    one.update(key(`a`), {installScripts: {postinstall: `node install.js`}});
    two.update(key(`a`), {publishedAt: at, dependencies: DIGEST});
    await one.save();
    await two.save();
    expect(new ReleaseTimeCache(target).get(key(`a`))).toEqual({publishedAt: at, dependencies: DIGEST, archiveUrl: null, installScripts: {postinstall: `node install.js`}, trust: null, trustLine: null});
  });

  it(`stays bounded, dropping the entries written longest ago`, async () => {
    const target = file();
    const cache = new ReleaseTimeCache(target, 3);
    for (const name of [`a`, `b`, `c`, `d`, `e`])
      cache.update(key(name), release);
    await cache.save();
    const reader = new ReleaseTimeCache(target, 3);
    expect([`a`, `b`, `c`, `d`, `e`].map(name => reader.get(key(name)) !== null)).toEqual([false, false, true, true, true]);
  });

  it(`keeps every entry of every process when several write at once, and never leaves a torn file`, async () => {
    const target = file();
    const module = compiledForChildProcesses();
    const [writers, rounds] = [6, 25];
    const startAt = Date.now() + 1500;
    // Each round is what one install does: a fresh cache, one version learnt, one save.
    const writer = `
      const {ReleaseTimeCache} = require(${JSON.stringify(module)});
      const [target, writer, rounds, startAt] = process.argv.slice(1);
      (async () => {
        while (Date.now() < Number(startAt)) ;
        for (let round = 0; round < Number(rounds); round++) {
          const cache = new ReleaseTimeCache(target);
          cache.update(ReleaseTimeCache.keyOf(\`http://registry.test\`, \`w\${writer}-r\${round}\`, \`1.0.0\`), {publishedAt: new Date(${at.getTime()}), dependencies: \`${DIGEST}\`, archiveUrl: \`\`});
          await cache.save();
        }
      })().catch(error => { console.error(error); process.exit(1); });
    `;
    const exits = await Promise.all(Array.from({length: writers}, (_, index) => new Promise<{code: number | null, stderr: string}>(resolve => {
      const child = spawn(process.execPath, [`-e`, writer, target, String(index), String(rounds), String(startAt)], {stdio: [`ignore`, `ignore`, `pipe`]});
      let stderr = ``;
      child.stderr.setEncoding(`utf8`).on(`data`, chunk => { stderr += chunk; });
      child.on(`close`, code => resolve({code, stderr}));
    })));

    expect(exits).toEqual(Array.from({length: writers}, () => ({code: 0, stderr: ``})));
    const document = JSON.parse(readFileSync(target, `utf8`));
    expect(document.format).toBe(FORMAT);
    const expected = Object.fromEntries(Array.from({length: writers * rounds}, (_, index) => [
      ReleaseTimeCache.keyOf(`http://registry.test`, `w${Math.floor(index / rounds)}-r${index % rounds}`, `1.0.0`),
      [at.getTime(), DIGEST, ``],
    ]));
    expect(document.entries).toEqual(expected);
    expect(readdirSync(path.dirname(target)).sort()).toEqual([path.basename(target)]);
  });

  it(`waits for another process's lock, and takes over one that a dead process left, or that is dated in the future`, async () => {
    const target = file();
    mkdirSync(path.dirname(target), {recursive: true});
    const lock = `${target}.lock`;

    writeFileSync(lock, ``);
    const waiting = new ReleaseTimeCache(target);
    waiting.update(key(`a`), release);
    const saved = waiting.save();
    await new Promise(resolve => setTimeout(resolve, 300));
    expect(existsSync(target)).toBe(false);
    rmSync(lock);
    await saved;
    expect(new ReleaseTimeCache(target).get(key(`a`))).toEqual(release);
    expect(existsSync(lock)).toBe(false);

    writeFileSync(lock, ``);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    const later = new ReleaseTimeCache(target);
    later.update(key(`b`), release);
    await later.save();
    expect(new ReleaseTimeCache(target).get(key(`b`))).toEqual(release);
    expect(existsSync(lock)).toBe(false);

    writeFileSync(lock, ``);
    const minuteAhead = new Date(Date.now() + 60_000);
    utimesSync(lock, minuteAhead, minuteAhead);
    const skewed = new ReleaseTimeCache(target);
    skewed.update(key(`c`), release);
    const started = Date.now();
    await skewed.save();
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(new ReleaseTimeCache(target).get(key(`c`))).toEqual(release);
    expect(existsSync(lock)).toBe(false);
  });

  it.each([
    [`a registry that records no evidence`, {noEvidence: true} as const],
    [`a line no earlier version of which had evidence`, {noEvidence: false, earlier: null} as const],
    [`the best earlier version of the line, without a publish time`, {noEvidence: false, earlier: {version: `1.14.0`, rank: 1 as const, publishedAt: null}} as const],
  ])(`keeps the trust line of %s`, async (_, trustLine) => {
    const target = file();
    const cache = new ReleaseTimeCache(target);
    cache.update(key(`a`), {trust: {publisher: true, trustedPublisher: false, provenance: false}, trustLine});
    await cache.save();
    expect(new ReleaseTimeCache(target).get(key(`a`))?.trustLine).toEqual(trustLine);
  });

  it(`remembers verifications (archives read, graphs verified), apart from versions`, async () => {
    const target = file();
    const writer = new ReleaseTimeCache(target);
    writer.remember(ReleaseTimeCache.archiveKeyOf(`abc`, `10c0/123`));
    await writer.save();
    const reader = new ReleaseTimeCache(target);
    expect(reader.has(ReleaseTimeCache.archiveKeyOf(`abc`, `10c0/123`))).toBe(true);
    expect(reader.has(ReleaseTimeCache.archiveKeyOf(`abc`, `10c0/456`))).toBe(false);
    expect(reader.get(ReleaseTimeCache.archiveKeyOf(`abc`, `10c0/123`))).toBeNull();
  });

  it.each([
    [`truncated JSON`, `{"format":"${FORMAT}","entries":{"http://registry.test a@1.0.0":[15`],
    [`another format`, JSON.stringify({format: `something-else`, entries: {[key(`a`)]: [at.getTime()]}})],
    [`the first format, which kept no tarball URLs or dependencies`, JSON.stringify({format: `yarn-plugin-quarantine/release-times@1`, entries: {[key(`a`)]: at.getTime()}})],
    [`the previous format, whose entries say nothing of a version's release line`, JSON.stringify({format: `yarn-plugin-quarantine/release-times@2`, entries: {[key(`a`)]: [at.getTime(), null, ``, {}, 7]}})],
    [`a bare number, which is no version's entry`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: at.getTime()}})],
    [`non-numeric times`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [`2020-01-01`]}})],
    [`a malformed digest`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), `not-a-digest`]}})],
    [`an archive URL that is no web URL`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, `file:///etc/passwd`]}})],
    [`a number where install scripts belong`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, 1]}})],
    [`a script Yarn does not run at install`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {test: `vitest`}]}})],
    [`a script command that is no string`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {postinstall: [`node`]}]}})],
    [`trust bits out of range`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {}, 8]}})],
    [`a trust line that is neither 0 nor a list`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {}, 0, 1]}})],
    [`a trust line whose earlier version has rank 0`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {}, 0, [`0.9.0`, 0, null]]}})],
    [`a trust line without a version`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {}, 0, [``, 2, null]]}})],
    [`too many fields`, JSON.stringify({format: FORMAT, entries: {[key(`a`)]: [at.getTime(), null, ``, {}, 0, 0, 1]}})],
    [`binary noise`, `\u0000\u0001garbage`],
  ])(`ignores %s and rebuilds it`, async (_, content) => {
    const target = file();
    mkdirSync(path.dirname(target), {recursive: true});
    writeFileSync(target, content);
    const reader = new ReleaseTimeCache(target);
    expect(reader.get(key(`a`))).toBeNull();
    reader.update(key(`c`), release);
    await reader.save();
    expect(JSON.parse(readFileSync(target, `utf8`)).entries).toEqual({[key(`c`)]: [at.getTime(), DIGEST, ``, {postinstall: `node install.js`}, 5, [`0.9.0`, 2, Date.parse(`2019-12-01T00:00:00.000Z`)]]});
  });
});
