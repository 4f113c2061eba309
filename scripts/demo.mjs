#!/usr/bin/env node
// A local replay of the 2026 axios compromise, blocked by the plugin, then let through without it.
import {existsSync} from 'node:fs';
import {mkdtemp, readdir, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

import {MALICIOUS_POSTINSTALL, MARKER_FILE, axiosReplay} from './lib/axios-replay.mjs';
import {agoISO, startRegistry} from './lib/registry.mjs';
import {BUNDLE, createProject} from './lib/yarn-project.mjs';

const bold = text => process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text;
const say = text => console.log(`\n${bold(text)}`);
const shell = (args, result) => {
  console.log(`$ yarn ${args.join(` `)}`);
  console.log(result.output.trimEnd().split(`\n`).map(line => `  ${line}`).join(`\n`));
  console.log(`  (exit code ${result.code})`);
};

if (!existsSync(BUNDLE)) {
  console.error(`The plugin bundle is missing (${BUNDLE}); run \`yarn build\` first.`);
  process.exit(1);
}

const [axios, followRedirects, plainCrypto] = axiosReplay();
const goodAxios = {...axios, versions: Object.fromEntries(Object.entries(axios.versions).filter(([version]) => version !== `1.14.1`))};
const registry = await startRegistry({packages: [goodAxios, followRedirects]});
const markerDir = await mkdtemp(join(tmpdir(), `quarantine-demo-marker-`));
const projects = [];
// Yarn's own defaults stay on (including its 1-day npmMinimalAgeGate in recent releases): this is what users run.
const env = {MARKER_DIR: markerDir, YARN_NPM_MINIMAL_AGE_GATE: undefined};
const manifest = {name: `my-app`, version: `1.0.0`, private: true, dependencies: {axios: `^1.14.0`}};
const scriptRan = async () => (await readdir(markerDir)).includes(MARKER_FILE);

async function project(options) {
  const created = await createProject({registry, manifest, plugin: false, ...options});
  projects.push(created);
  return created;
}

try {
  say(`1. Yesterday: a project locked on axios 1.14.0, with the plugin imported`);
  const app = await project();
  shell([`plugin`, `import`, `<repo>/bundles/@yarnpkg/plugin-quarantine.js`], await app.run([`plugin`, `import`, BUNDLE], {env}));
  shell([`install`], await app.run([`install`], {env}));
  const lockedYesterday = await app.lockfile();

  say(`2. Today: a stolen token publishes axios 1.14.1, which adds plain-crypto-js@^4.2.1 (published 40 minutes earlier, with a postinstall)`);
  registry.packages.addPackage(plainCrypto);
  registry.packages.addVersion(`axios`, `1.14.1`, axios.versions[`1.14.1`]);
  console.log(`  The loopback registry at ${registry.url} now serves axios@latest = 1.14.1.`);

  say(`3. A developer runs \`yarn up axios\`: the plugin holds 1.14.1 back and says until when`);
  shell([`up`, `axios`], await app.run([`up`, `axios`], {env}));
  console.log(`  yarn.lock still on axios 1.14.0: ${(await app.lockfile()).includes(`resolution: "axios@npm:1.14.0"`)}; postinstall ran: ${await scriptRan()}`);

  say(`3b. Had 1.14.1 already been out of quarantine (here: quarantinePeriod 90m, npmMinimalAgeGate 0), the update is still stopped: it brings in a package this project never had`);
  const yarnrc = await app.readFile(`.yarnrc.yml`);
  await app.writeFile(`.yarnrc.yml`, `${yarnrc}quarantinePeriod: 90m\nnpmMinimalAgeGate: 0\n`);
  shell([`up`, `axios`], await app.run([`up`, `axios`], {env}));
  await app.writeFile(`.yarnrc.yml`, yarnrc);
  console.log(`  yarn.lock still on axios 1.14.0: ${(await app.lockfile()).includes(`resolution: "axios@npm:1.14.0"`)}; postinstall ran: ${await scriptRan()}`);

  say(`3c. An attacker who waits the quarantine out and adds no dependency, only a preinstall (as Shai-Hulud 2 did): axios 1.14.2, published 10 days ago`);
  registry.packages.addVersion(`axios`, `1.14.2`, {publishedAt: agoISO({days: 10}), dependencies: {'follow-redirects': `^1.15.0`}, scripts: {preinstall: MALICIOUS_POSTINSTALL}});
  shell([`up`, `axios@1.14.2`], await app.run([`up`, `axios@1.14.2`], {env}));
  registry.packages.removeVersion(`axios`, `1.14.2`);
  console.log(`  yarn.lock still on axios 1.14.0: ${(await app.lockfile()).includes(`resolution: "axios@npm:1.14.0"`)}; preinstall ran: ${await scriptRan()}`);

  say(`4. A teammate without the plugin already locked 1.14.1; CI runs \`yarn install --immutable\` with the plugin`);
  const teammate = await project({yarnrc: {npmMinimalAgeGate: `0`}});
  await teammate.run([`install`, `--mode=update-lockfile`], {env});
  const poisonedLockfile = await teammate.lockfile();
  const ci = await project({files: {'yarn.lock': poisonedLockfile}});
  await ci.run([`plugin`, `import`, BUNDLE], {env});
  shell([`install`, `--immutable`], await ci.run([`install`, `--immutable`], {env}));
  console.log(`  yarn.lock unchanged: ${(await ci.lockfile()) === poisonedLockfile}; node_modules created: ${ci.exists(`node_modules`)}; postinstall ran: ${await scriptRan()}`);

  say(`5. The same CI run without the plugin: Yarn trusts the lockfile (its own age gate only filters new resolutions)`);
  console.log(`  (enableScripts is on here, as in projects that build native modules; with it off, the trojan is still fetched and linked, one require() away.)`);
  const unprotected = await project({files: {'yarn.lock': poisonedLockfile}});
  shell([`install`, `--immutable`], await unprotected.run([`install`, `--immutable`], {env}));
  console.log(`  plain-crypto-js installed: ${unprotected.exists(`node_modules/plain-crypto-js/package.json`)}; postinstall ran: ${await scriptRan()}`);

  say(`6. And \`yarn up axios\` without the plugin in a project whose npmMinimalAgeGate is 0 (what Yarn writes when it migrates an older lockfile)`);
  await rm(join(markerDir, MARKER_FILE), {force: true});
  const migrated = await project({yarnrc: {npmMinimalAgeGate: `0`}, files: {'yarn.lock': lockedYesterday}});
  shell([`up`, `axios`], await migrated.run([`up`, `axios`], {env}));
  console.log(`  yarn.lock now on axios 1.14.1: ${(await migrated.lockfile()).includes(`resolution: "axios@npm:1.14.1"`)}; postinstall ran: ${await scriptRan()}`);
} finally {
  await Promise.all(projects.map(created => created.dispose()));
  await rm(markerDir, {recursive: true, force: true});
  await registry.close();
}
