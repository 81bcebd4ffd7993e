// Fails on any import cycle among the app's modules (type-only imports included: a cycle of
// types still ties two modules' designs together), and among its folders (src/<folder>,
// workers): a folder that imports one that imports it back is one room with two doors. Part of
// `npm run lint`.
import { parseCircular, parseDependencyTree, prettyCircular } from 'dpdm';

const ENTRIES = ['src/**/*.ts', 'workers/*.ts'];

const tree = await parseDependencyTree(ENTRIES, {
  context: process.cwd(),
  extensions: ['.ts', '.mjs', '.js'],
  js: ['.ts', '.mjs', '.js'],
  // Svelte components are not parsed (dpdm reads TypeScript); `.svelte.ts` modules are.
  include: /\.(ts|mjs|js)$/,
  exclude: /node_modules|\.test\.ts$/,
  tsconfig: 'tsconfig.json',
  transform: false,
  skipDynamicImports: false,
});
const modules = Object.keys(tree).length;
const problems = [];
const cycles = parseCircular(tree);
if (cycles.length > 0)
  problems.push(`${cycles.length} import cycle(s) among modules:\n${prettyCircular(cycles)}`);

/** The folder a module belongs to: src/<folder> (src/ itself for its top-level files), workers. */
const folderOf = (file) => {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts[0];
};
const folders = new Map();
for (const [file, deps] of Object.entries(tree)) {
  const from = folderOf(file);
  for (const dep of deps ?? []) {
    if (!dep.id || dep.id.includes('node_modules')) continue;
    const to = folderOf(dep.id);
    if (to === from) continue;
    if (!folders.has(from)) folders.set(from, new Map());
    if (!folders.get(from).has(to)) folders.get(from).set(to, `${file} → ${dep.id}`);
  }
}
// Each pair of folders that import each other, with one import each way.
for (const [a, out] of folders)
  for (const [b, why] of out)
    if (a < b && folders.get(b)?.has(a))
      problems.push(`folders ${a} ⇄ ${b}: ${why}; ${folders.get(b).get(a)}`);
// Longer folder cycles (a → b → c → a) once no pair remains.
if (!problems.some((p) => p.startsWith('folders '))) {
  const state = new Map();
  const visit = (f, path) => {
    state.set(f, 'open');
    for (const g of folders.get(f)?.keys() ?? []) {
      if (state.get(g) === 'open') problems.push(`folder cycle: ${[...path, f, g].join(' → ')}`);
      else if (!state.has(g)) visit(g, [...path, f]);
    }
    state.set(f, 'done');
  };
  for (const f of folders.keys()) if (!state.has(f)) visit(f, []);
}
if (problems.length > 0) {
  console.error(`check-cycles (${modules} modules):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(
  `check-cycles: no import cycle among ${modules} modules or their ${folders.size} folders`,
);
