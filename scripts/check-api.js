// API report gate (docs/adr/0018-gates.md): the public surface of each package, every name its
// src/index.ts exports with its declared type, must equal the committed report in
// packages/<name>/api/report.api.txt. `--update` rewrites the reports after an intended change.
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const update = process.argv.includes('--update');
const entries = readdirSync(join(root, 'packages'))
  .map((name) => join(root, 'packages', name, 'src', 'index.ts'))
  .filter((file) => existsSync(file));

const program = ts.createProgram(entries, {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  customConditions: ['source'],
  jsx: ts.JsxEmit.ReactJSX,
  jsxImportSource: 'preact',
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: true,
  noEmit: true,
  types: ['node'],
});
const checker = program.getTypeChecker();
/** @type {ts.TypeFormatFlags} */
const flags = ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.WriteArrayAsGenericType;

/**
 * One line per export of `file`: its kind, name and declared type.
 * @param {string} file
 * @returns {string}
 */
function report(file) {
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error(`${file}: not a module`);
  const lines = checker.getExportsOfModule(moduleSymbol).map((exported) => {
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    const kind = declaration ? ts.SyntaxKind[declaration.kind] : 'Unknown';
    const type =
      symbol.flags & ts.SymbolFlags.Value && declaration
        ? checker.typeToString(
            checker.getTypeOfSymbolAtLocation(symbol, declaration),
            undefined,
            flags,
          )
        : checker.typeToString(checker.getDeclaredTypeOfSymbol(symbol), undefined, flags);
    return `${kind} ${exported.name}: ${type.replace(/import\([^)]*\)\./g, '')}`;
  });
  return `${lines.sort().join('\n')}\n`;
}

let stale = 0;
for (const entry of entries) {
  const reportFile = join(dirname(dirname(entry)), 'api', 'report.api.txt');
  const text = report(entry);
  const committed = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '';
  if (text === committed) continue;
  if (update) {
    mkdirSync(dirname(reportFile), { recursive: true });
    writeFileSync(reportFile, text);
    console.log(`updated ${relative(root, reportFile)}`);
  } else {
    stale += 1;
    console.error(`${relative(root, reportFile)} differs from ${relative(root, entry)}'s exports.`);
  }
}
if (stale > 0) {
  console.error('If the change is intended, run `npm run api:update` and commit the reports.');
  process.exit(1);
}
