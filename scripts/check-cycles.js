// Import-circle gate (docs/adr/0018-gates.md): fails when a source file of any package (or the
// bench) reaches itself again through relative imports, type-only imports included, or when the
// workspace packages depend on one another in a circle.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const sourceRoots = [
  ...readdirSync(join(root, 'packages')).map((name) => join(root, 'packages', name, 'src')),
  join(root, 'bench', 'src'),
].filter((dir) => existsSync(dir));

/**
 * Every non-test TypeScript file under `dir`.
 * @param {string} dir
 * @returns {string[]}
 */
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .filter((entry) => !/\.test\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

/**
 * The files `file` imports by a relative specifier (`./x.js` is the source `./x.ts`).
 * @param {string} file
 * @returns {string[]}
 */
function relativeImports(file) {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  return info.importedFiles
    .map((ref) => ref.fileName)
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => resolve(dirname(file), spec))
    .flatMap((base) => {
      const stem = base.replace(/\.(js|jsx|ts|tsx)$/, '');
      return ['.ts', '.tsx', '/index.ts'].map((ext) => stem + ext).filter((f) => existsSync(f));
    })
    .slice(0, 1);
}

/**
 * Circles in a directed graph, each once, as the list of its nodes (depth-first, Tarjan-free:
 * a back edge closes a circle).
 * @param {Map<string, string[]>} graph
 * @returns {string[][]}
 */
function findCircles(graph) {
  /** @type {Map<string, 'open' | 'done'>} */
  const state = new Map();
  /** @type {string[]} */
  const stack = [];
  /** @type {string[][]} */
  const circles = [];
  /** @param {string} node */
  const visit = (node) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') circles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return circles;
}

// Circles of today's tree, tolerated until their refactor lands. Delete an entry once it is gone.
const knownCircles = new Set(/** @type {string[]} */ ([]));

/** @type {Map<string, string[]>} */
const files = new Map();
for (const dir of sourceRoots)
  for (const file of sourceFiles(dir)) files.set(file, relativeImports(file));

/** @type {Map<string, string[]>} */
const packages = new Map();
for (const name of readdirSync(join(root, 'packages'))) {
  const manifest = join(root, 'packages', name, 'package.json');
  if (!existsSync(manifest)) continue;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- a workspace manifest
  const pkg = /** @type {{ name: string, dependencies?: Record<string, string> }} */ (
    JSON.parse(readFileSync(manifest, 'utf8'))
  );
  packages.set(
    pkg.name,
    Object.keys(pkg.dependencies ?? {}).filter((dep) => dep.startsWith('@parley/')),
  );
}

const circles = [
  ...findCircles(files).map((c) => c.map((f) => relative(root, f)).join(' → ')),
  ...findCircles(packages).map((c) => `packages: ${c.join(' → ')}`),
].filter((circle) => !knownCircles.has(circle));
if (circles.length > 0) {
  console.error(`Import circles (${String(circles.length)}): break each one.`);
  for (const circle of circles) console.error(`  ${circle}`);
  process.exit(1);
}
console.log(
  `No import circles among ${String(files.size)} source files and ${String(packages.size)} packages.`,
);
