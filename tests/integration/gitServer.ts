import {execFileSync, spawn} from 'node:child_process';
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {createServer, connect} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';

export const git = (cwd: string, ...args: Array<string>) => execFileSync(`git`, [`-c`, `user.name=test`, `-c`, `user.email=test@example.test`, `-c`, `init.defaultBranch=main`, ...args], {cwd, stdio: `pipe`}).toString();

export function commitAll(cwd: string, message = `commit`) {
  git(cwd, `init`, `-q`);
  git(cwd, `add`, `-A`);
  git(cwd, `commit`, `-q`, `-m`, message);
  return git(cwd, `rev-parse`, `HEAD`).trim();
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>(resolve => server.listen(0, `127.0.0.1`, resolve));
  const {port} = server.address() as {port: number};
  await new Promise(resolve => server.close(resolve));
  return port;
}

async function waitForPort(port: number, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>(resolve => {
      const socket = connect(port, `127.0.0.1`, () => {
        socket.end();
        resolve(true);
      });
      socket.on(`error`, () => resolve(false));
    });
    if (open)
      return;
    if (Date.now() > deadline)
      throw new Error(`git daemon did not start on port ${port}`);
    await new Promise(resolve => setTimeout(resolve, 50));
  }
}

/**
 * A loopback `git://` server (git daemon) serving repositories the test creates: what a git
 * dependency in a lockfile points at, without the network.
 */
export async function startGitServer() {
  const root = await mkdtemp(join(tmpdir(), `quarantine-git-`));
  const port = await freePort();
  const daemon = spawn(`git`, [`daemon`, `--reuseaddr`, `--export-all`, `--base-path=${root}`, `--listen=127.0.0.1`, `--port=${port}`, root], {stdio: `ignore`});
  await waitForPort(port);

  return {
    url: `git://127.0.0.1:${port}`,
    /** A repository holding one package; returns its `git://` URL and the commit. */
    async addPackage(name: string, manifest: Record<string, unknown>, files: Record<string, string> = {}) {
      const dir = join(root, `${name}.git`);
      await mkdir(dir, {recursive: true});
      await writeFile(join(dir, `package.json`), JSON.stringify({name, version: `1.0.0`, ...manifest}, null, 2));
      await writeFile(join(dir, `index.js`), `module.exports = ${JSON.stringify(name)};\n`);
      for (const [path, content] of Object.entries(files))
        await writeFile(join(dir, path), content);
      const commit = commitAll(dir);
      return {url: `git://127.0.0.1:${port}/${name}.git`, commit};
    },
    close: async () => {
      daemon.kill(`SIGTERM`);
      await rm(root, {recursive: true, force: true});
    },
  };
}

/** A script line that leaves `file` behind when it runs: proof that a lifecycle script of a fetched package ran. */
export const touchScript = (file: string) => `node -e "require('fs').writeFileSync(${JSON.stringify(file).replace(/"/g, `'`)}, 'ran')"`;
