import {mkdirSync, mkdtempSync, readFileSync, writeFileSync} from 'fs';
import {tmpdir} from 'os';
import path from 'path';
import {describe, expect, it} from 'vitest';

import {ReleaseTimeCache} from '../../sources/registry/releaseTimeCache';

const file = () => path.join(mkdtempSync(path.join(tmpdir(), `release-times-`)), `quarantine`, `release-times.json`);
const key = (name: string) => ReleaseTimeCache.keyOf(`http://registry.test`, name, `1.0.0`);
const at = new Date(`2020-01-01T00:00:00.000Z`);
const release = {publishedAt: at, archiveUrl: null};

describe(`ReleaseTimeCache`, () => {
  it(`persists entries for the next process`, async () => {
    const target = file();
    const first = new ReleaseTimeCache(target);
    first.set(key(`a`), release);
    await first.save();
    expect(new ReleaseTimeCache(target).get(key(`a`))).toEqual(release);
  });

  it(`keeps what another process wrote meanwhile`, async () => {
    const target = file();
    const one = new ReleaseTimeCache(target);
    const two = new ReleaseTimeCache(target);
    one.get(key(`x`));
    two.get(key(`x`));
    one.set(key(`a`), release);
    two.set(key(`b`), release);
    await one.save();
    await two.save();
    const reader = new ReleaseTimeCache(target);
    expect(reader.get(key(`a`))).toEqual(release);
    expect(reader.get(key(`b`))).toEqual(release);
  });

  it(`stays bounded, dropping the entries written longest ago`, async () => {
    const target = file();
    const cache = new ReleaseTimeCache(target, 3);
    for (const name of [`a`, `b`, `c`, `d`, `e`])
      cache.set(key(name), release);
    await cache.save();
    const reader = new ReleaseTimeCache(target, 3);
    expect([`a`, `b`, `c`, `d`, `e`].map(name => reader.get(key(name)) !== null)).toEqual([false, false, true, true, true]);
  });

  it(`never leaves a torn file when writers race (an entry may be lost, which only costs a request)`, async () => {
    const target = file();
    const writers = Array.from({length: 8}, (_, index) => {
      const cache = new ReleaseTimeCache(target);
      cache.set(key(`pkg-${index}`), release);
      return cache;
    });
    await Promise.all(writers.map(cache => cache.save()));
    const document = JSON.parse(readFileSync(target, `utf8`));
    expect(Object.keys(document.entries).length).toBeGreaterThanOrEqual(1);
    expect(Object.values(document.entries).every(value => value === at.getTime())).toBe(true);
  });

  it(`keeps a registry's own tarball URL beside the publish time, and only a web URL`, async () => {
    const target = file();
    const writer = new ReleaseTimeCache(target);
    writer.set(key(`a`), {publishedAt: at, archiveUrl: `https://tarballs.example.test/a-1.0.0.tgz`});
    await writer.save();
    expect(new ReleaseTimeCache(target).get(key(`a`))).toEqual({publishedAt: at, archiveUrl: `https://tarballs.example.test/a-1.0.0.tgz`});

    writeFileSync(target, JSON.stringify({format: `yarn-plugin-quarantine/release-times@2`, entries: {[key(`a`)]: [at.getTime(), `file:///etc/passwd`], [key(`b`)]: [at.getTime()]}}));
    const reader = new ReleaseTimeCache(target);
    expect(reader.get(key(`a`))).toBeNull();
    expect(reader.get(key(`b`))).toBeNull();
  });

  it(`ignores entries of the previous format, which did not record tarball URLs`, () => {
    const target = file();
    mkdirSync(path.dirname(target), {recursive: true});
    writeFileSync(target, JSON.stringify({format: `yarn-plugin-quarantine/release-times@1`, entries: {[key(`a`)]: at.getTime()}}));
    expect(new ReleaseTimeCache(target).get(key(`a`))).toBeNull();
  });

  it.each([
    [`truncated JSON`, `{"format":"yarn-plugin-quarantine/release-times@2","entries":{"http://registry.test a@1.0.0":15`],
    [`another format`, JSON.stringify({format: `something-else`, entries: {[key(`a`)]: at.getTime()}})],
    [`non-numeric times`, JSON.stringify({format: `yarn-plugin-quarantine/release-times@2`, entries: {[key(`a`)]: `2020-01-01`}})],
    [`binary noise`, `\u0000\u0001garbage`],
  ])(`ignores a file with %s and rebuilds it`, async (_, content) => {
    const target = file();
    mkdirSync(path.dirname(target), {recursive: true});
    writeFileSync(target, content);
    const reader = new ReleaseTimeCache(target);
    expect(reader.get(key(`a`))).toBeNull();
    reader.set(key(`c`), release);
    await reader.save();
    expect(JSON.parse(readFileSync(target, `utf8`)).entries).toEqual({[key(`c`)]: at.getTime()});
  });
});
