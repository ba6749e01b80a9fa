/**
 * Summarizes a V8 `.cpuprofile` (from `node --cpu-prof`): self time by function and by package,
 * largest first. Usage: node bench/dist/profile-summary.js FILE.cpuprofile [TOP]
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { functionName: string; url: string; lineNumber: number };
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** Where a frame's code lives: a package, Parley's own code, Node internals or V8. */
export function packageOf(url: string, functionName: string): string {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (dependency !== null) return dependency[1] ?? url;
  const own = /packages\/([^/]+)\//.exec(url);
  if (own !== null) return `@parley/${own[1] ?? ''}`;
  if (url.startsWith('node:')) return 'node internals';
  return url;
}

/** Self time (ms) per key over all samples. */
export function selfTimes(
  profile: Profile,
  keyOf: (node: ProfileNode) => string,
): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (node === undefined) return;
    const key = keyOf(node);
    totals.set(key, (totals.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return totals;
}

function print(title: string, totals: Map<string, number>, top: number): void {
  const sum = [...totals.values()].reduce((a, b) => a + b, 0);
  process.stdout.write(`\n${title} (total ${(sum / 1000).toFixed(1)} s)\n`);
  for (const [key, ms] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(
      `${((ms / sum) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(7)} ms  ${key}\n`,
    );
  }
}

function main(): void {
  const [file, topText] = process.argv.slice(2);
  if (file === undefined) throw new TypeError('usage: profile-summary FILE.cpuprofile [TOP]');
  const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const top = Number(topText ?? 25);
  print(
    'self time by package',
    selfTimes(profile, (n) => packageOf(n.callFrame.url, n.callFrame.functionName)),
    top,
  );
  print(
    'self time by function',
    selfTimes(profile, (n) => {
      const { functionName, url, lineNumber } = n.callFrame;
      const where =
        url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|packages)\//, '')}:${lineNumber + 1}`;
      return `${functionName === '' ? '(anonymous)' : functionName}${where}`;
    }),
    top,
  );
}

main();
