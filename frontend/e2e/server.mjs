// Start a real Algogate backend for the end-to-end run: free port, throw-away data dir, simulator.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function startBackend(repoRoot) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'algogate-e2e-'));
  const env = {
    ...process.env,
    APP_KEY: 'e2e-app-key-'.padEnd(48, 'k'),
    API_KEY_PEPPER: 'e2e-api-key-pepper-'.padEnd(48, 'p'),
    WEBSOCKET_PORT: '0',
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'WARNING',
  };
  // Embedded defaults (SQLite in the data dir, in-process streaming) whatever the caller's shell has.
  for (const name of ['DATABASE_URL', 'LOGS_DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST', 'WORKERS'])
    delete env[name];
  // The project's own environment when it exists (scripts/test syncs it), else through uv.
  const serveArgs = ['serve', '--port', String(port), '--data-dir', dataDir];
  const venvCli = join(repoRoot, '.venv', 'bin', 'algogate');
  const [cmd, ...args] = existsSync(venvCli)
    ? [venvCli, ...serveArgs]
    : [
        ...(process.env.ALGOGATE_UV ?? 'uv').split(' '),
        'run',
        '--frozen',
        '--project',
        repoRoot,
        'algogate',
        ...serveArgs,
      ];
  // Runs in the throw-away directory so a developer's .env (DATABASE_URL …) is never picked up.
  const child = spawn(cmd, args, { cwd: dataDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => {
    log += d;
  });
  child.stderr.on('data', (d) => {
    log += d;
  });
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`backend exited (${child.exitCode}):\n${log.slice(-3000)}`);
    try {
      const r = await fetch(`${base}/health`);
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline)
      throw new Error(`backend did not become healthy in 90 s:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    base,
    log: () => log,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await Promise.race([
          new Promise((r) => child.once('exit', r)),
          new Promise((r) => setTimeout(r, 8000)),
        ]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
