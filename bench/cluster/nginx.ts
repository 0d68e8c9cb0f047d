/**
 * nginx for `npm run bench:cluster`: Debian's nginx (installed with apt-get
 * if missing), run in the foreground with a prefix of its own in a temporary
 * folder, on a loopback port, with a configuration made from
 * deploy/nginx/trellis.conf. Only what must differ here is changed: the
 * upstream's addresses (the benchmark's processes), the listen address and
 * the built assets' folder. The rest (headers, timeouts, keep-alive, gzip,
 * the /metrics refusal) is the file operators use, so the benchmark tests it.
 *
 * The system's own nginx, if any, is left alone: this one has its own
 * configuration, pid file, logs and temporary folders.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';

import { delay, REPOSITORY_ROOT } from '../support/processes.js';

const NGINX = '/usr/sbin/nginx';
export const NGINX_CONF = join(REPOSITORY_ROOT, 'deploy', 'nginx', 'trellis.conf');
const ASSETS_IN_CONF = '/opt/trellis/public/build/';

/** Installs nginx from Debian if it is not there (needs root, as apt-get does). */
export function ensureNginxInstalled(): void {
  if (existsSync(NGINX)) return;
  console.log('  nginx is not installed: apt-get install -y nginx');
  const install = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'nginx'], {
    stdio: 'inherit',
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  if (install.status !== 0 || !existsSync(NGINX)) {
    throw new Error('nginx could not be installed (apt-get install -y nginx needs root and the network)');
  }
  // Debian starts the system's nginx on port 80 on install; this benchmark
  // does not need it, but stopping a service it did not start is not its business.
}

/**
 * deploy/nginx/trellis.conf with the upstream's servers on `upstreamPorts`,
 * listening on 127.0.0.1:`listenPort`, serving assets from this checkout.
 * Fails if the file no longer has what is replaced, so that a change to it
 * cannot leave the benchmark testing something else.
 */
export function adaptTrellisConf(conf: string, upstreamPorts: number[], listenPort: number): string {
  const serverLine = /^(\s*)server 127\.0\.0\.1:\d+ (.*);$/;
  const lines = conf.split('\n');
  const first = lines.findIndex((line) => serverLine.test(line));
  if (first < 0) throw new Error(`${NGINX_CONF}: no "server 127.0.0.1:<port> …;" line in the upstream`);
  const [, indent, parameters] = serverLine.exec(lines[first]!)!;
  const servers = upstreamPorts.map((port) => `${indent}server 127.0.0.1:${port} ${parameters};`);
  // The upstream's servers become the benchmark's, where the first one was.
  let adapted = [
    ...lines.slice(0, first),
    ...servers,
    ...lines.slice(first).filter((line) => !serverLine.test(line)),
  ].join('\n');

  const listens = /^\s*listen (80|\[::\]:80);$/gm;
  if ((conf.match(listens) ?? []).length !== 2) {
    throw new Error(`${NGINX_CONF}: expected "listen 80;" and "listen [::]:80;"`);
  }
  adapted = adapted
    .replace(/^(\s*)listen 80;$/m, `$1listen 127.0.0.1:${listenPort};`)
    .replace(/^\s*listen \[::\]:80;\n/m, '');

  if (!adapted.includes(`alias ${ASSETS_IN_CONF};`)) {
    throw new Error(`${NGINX_CONF}: expected the assets at "alias ${ASSETS_IN_CONF};"`);
  }
  return adapted.replace(`alias ${ASSETS_IN_CONF};`, `alias ${join(REPOSITORY_ROOT, 'public', 'build')}/;`);
}

/** The whole nginx.conf: what Debian's main file would give, with every path inside `prefix`. */
function mainConf(prefix: string, trellisConf: string): string {
  const runningAsRoot = process.getuid?.() === 0;
  return `# Made by bench/cluster/nginx.ts for one run; removed afterwards.
${runningAsRoot ? 'user nobody nogroup;\n' : ''}worker_processes auto;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log warn;
events { worker_connections 4096; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    tcp_nopush on;
    server_tokens off;
    access_log off;
    client_body_temp_path ${prefix}/client_body;
    proxy_temp_path ${prefix}/proxy;
    fastcgi_temp_path ${prefix}/fastcgi;
    uwsgi_temp_path ${prefix}/uwsgi;
    scgi_temp_path ${prefix}/scgi;

${trellisConf}
}
`;
}

/** Every nginx started and not yet stopped, for `stopAllNginx`. */
const running = new Set<() => Promise<void>>();

/** Stops every nginx this process started: the run's clean-up, however it ends (Ctrl-C included). */
export async function stopAllNginx(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

export interface RunningNginx {
  url: string;
  /** The last lines of nginx's error log, for a failure's message. */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/** Starts nginx in front of `upstreamPorts`; resolves once it answers. */
export async function startNginx(upstreamPorts: number[], listenPort: number): Promise<RunningNginx> {
  ensureNginxInstalled();
  const prefix = await mkdtemp(join(os.tmpdir(), 'trellis-nginx-'));
  // nginx's workers run as nobody when started as root: they must reach the temporary folders.
  await chmod(prefix, 0o755);
  const confPath = join(prefix, 'nginx.conf');
  const trellisConf = adaptTrellisConf(await readFile(NGINX_CONF, 'utf8'), upstreamPorts, listenPort);
  await writeFile(confPath, mainConf(prefix, trellisConf));
  const args = ['-p', prefix, '-c', confPath, '-e', join(prefix, 'error.log')];

  const test = spawnSync(NGINX, [...args, '-t', '-q'], { encoding: 'utf8' });
  if (test.status !== 0) {
    await rm(prefix, { recursive: true, force: true });
    throw new Error(`nginx refused the configuration made from ${NGINX_CONF}:\n${test.stderr}`);
  }

  const child: ChildProcess = spawn(NGINX, [...args, '-g', 'daemon off;'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolveExit) => {
    child.once('exit', () => resolveExit());
    child.once('error', () => resolveExit());
  });
  const errorLog = async () => {
    const log = await readFile(join(prefix, 'error.log'), 'utf8').catch(() => '');
    return log.trim().split('\n').slice(-10).join('\n');
  };
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    running.delete(stop);
    if (child.exitCode === null && child.signalCode === null) {
      // SIGQUIT: nginx finishes what it is serving, then its workers and master exit.
      child.kill('SIGQUIT');
      const gone = await Promise.race([exited.then(() => true), delay(5_000).then(() => false)]);
      if (!gone) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    await rm(prefix, { recursive: true, force: true });
  };

  running.add(stop);
  const url = `http://127.0.0.1:${listenPort}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      const log = await errorLog();
      await stop();
      throw new Error(`nginx exited at start:\n${log}`);
    }
    try {
      // /metrics is answered by nginx itself (404), so this needs no Trellis process.
      await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        const log = await errorLog();
        await stop();
        throw new Error(`nginx did not answer on ${url} in 10 s:\n${log}`);
      }
      await delay(100);
    }
  }
  return { url, errorLog, stop };
}
