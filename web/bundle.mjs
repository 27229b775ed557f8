// Bundles the portal's ES modules with esbuild (MIT, pinned in package.json), so that a
// first visit loads all of a page's JavaScript in one round of requests instead of a
// chain of imports: /js/main-<hash>.mjs (every page), one entry per page module
// (/js/pages/<name>-<hash>.mjs, which imports the page module and runs its init()),
// and the chunks they share (/js/chunks/…). Names carry a hash of the content, so a
// cached file is never mixed with a newer one. The result says, for main and for each
// page, every file that entry runs: the layout preloads them all (modulepreload).

import fs from 'node:fs';
import path from 'node:path';


import { root } from './deps.mjs';

const PAGE = 'page-entry';

/** Each page module becomes an entry that runs its init(). */
const pageEntries = (pagesDir) => ({
  name: PAGE,
  setup(build) {
    build.onResolve({ filter: new RegExp(`^${PAGE}:`) }, (args) => ({ path: args.path.slice(PAGE.length + 1), namespace: PAGE }));
    build.onLoad({ filter: /.*/, namespace: PAGE }, (args) => ({
      contents: `import { init } from ${JSON.stringify(`./${args.path}.mjs`)};\ninit();\n`,
      resolveDir: pagesDir,
      loader: 'js',
    }));
  },
});

/**
 * Bundles `srcDir`/main.mjs and `srcDir`/pages/*.mjs into `outDir`. Resolves to
 * {main: [url…], pages: {name: [url…]}}: the entry's URL first, then what it imports.
 */
export async function bundle(srcDir, outDir) {
  // imported here, not at the top: build.mjs installs the npm packages (ensureDeps)
  // before it calls this, and a fresh clone has no node_modules when the build starts
  const esbuild = await import('esbuild');
  const pagesDir = path.join(srcDir, 'pages');
  const pages = fs.readdirSync(pagesDir).filter((f) => f.endsWith('.mjs')).map((f) => f.slice(0, -4)).sort();
  const bi = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/bootstrap-italia/package.json'), 'utf8'));
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [{ in: path.join(srcDir, 'main.mjs'), out: 'main' }, ...pages.map((name) => ({ in: `${PAGE}:${name}`, out: `pages/${name}` }))],
    plugins: [pageEntries(pagesDir)],
    bundle: true,
    splitting: true,
    format: 'esm',
    target: ['es2022'],
    minify: true,
    outdir: outDir,
    entryNames: '[dir]/[name]-[hash]',
    chunkNames: 'chunks/[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    banner: { js: `/* Toscana Lavoro (EUPL-1.2). Includes Bootstrap Italia ${bi.version} (BSD-3-Clause): /vendor/bootstrap-italia-${bi.version}/LICENSE */` },
    metafile: true,
    logLevel: 'warning',
  });
  const outputs = result.metafile.outputs;
  const url = (file) => '/' + path.relative(path.dirname(outDir), path.join(root, file)).split(path.sep).join('/');
  const closure = (file, seen = new Set()) => {
    if (seen.has(file)) return seen;
    seen.add(file);
    for (const i of outputs[file].imports) if (i.kind === 'import-statement') closure(i.path, seen);
    return seen;
  };
  const entryOf = (name) => Object.keys(outputs).find((f) => outputs[f].entryPoint === name);
  const files = (entry) => [...closure(entry)].map(url);
  const main = entryOf(path.relative(root, path.join(srcDir, 'main.mjs')));
  return {
    main: files(main),
    pages: Object.fromEntries(pages.map((name) => [name, files(entryOf(`${PAGE}:${name}`))])),
  };
}
