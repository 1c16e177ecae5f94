// Production bundle size: gzip of every JS/CSS file, and of what the first page load needs.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export function bundleSize(distDir) {
  const assets = join(distDir, 'assets');
  const sizes = {};
  for (const name of readdirSync(assets)) {
    if (!/\.(js|css)$/.test(name)) continue;
    const buf = readFileSync(join(assets, name));
    sizes[name] = { raw: buf.length, gzip: gzipSync(buf, { level: 9 }).length };
  }
  const index = readFileSync(join(distDir, 'index.html'), 'utf8');
  const initialNames = [...index.matchAll(/\/assets\/([^"']+\.(?:js|css))/g)].map((m) => m[1]);
  const sum = (names, key) => names.reduce((s, n) => s + (sizes[n]?.[key] ?? 0), 0);
  const all = Object.keys(sizes);
  return {
    totalGzip: sum(all, 'gzip'),
    totalRaw: sum(all, 'raw'),
    initialGzip: sum(initialNames, 'gzip'),
    files: all.length,
  };
}

export const kb = (n) => `${(n / 1024).toFixed(1)} kB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = bundleSize(new URL('../dist', import.meta.url).pathname);
  console.log(
    `bundle: initial ${kb(s.initialGzip)} gzip, all ${s.files} files ${kb(s.totalGzip)} gzip (${kb(s.totalRaw)} raw)`,
  );
}
