// Builds the web app (packages/web → packages/web/dist) that the relay serves at `/`.
// `--if-missing`: only when there is no build yet (what `npm start` does on a fresh clone).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const built = fileURLToPath(new URL('../packages/web/dist/index.html', import.meta.url));

if (process.argv.includes('--if-missing') && existsSync(built)) process.exit(0);
console.error('Building the web app (packages/web)…');
const result = spawnSync('npm', ['run', 'build', '--silent', '-w', '@parley/web'], {
  cwd: root,
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
