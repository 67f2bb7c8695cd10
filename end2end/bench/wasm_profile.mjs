// Size profile of a wasm module by crate and by function (a benchmark tool: it prints figures
// and asserts nothing). Reads the module's `name` section, so give it the module as Rust
// linked it, before wasm-opt strips the names: cargo-leptos leaves it at
// target/front/wasm32-unknown-unknown/<profile>/app.wasm (`wasm-release` for release builds).
//
//   node end2end/bench/wasm_profile.mjs [path/to/app.wasm] [--top 25]
//
// A function counts towards the crate of the first segment of its (mangled) path; generic
// instantiations of a trait for a type count under the trait's `<T as Trait>` spelling, so
// "serde_json Deserializer" shows every type the browser decodes from JSON.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { repoRoot } from '../tests/support.mjs';

const { values: args, positionals } = parseArgs({
  options: { top: { type: 'string', default: '25' } },
  allowPositionals: true,
});
const path = positionals[0] ?? join(repoRoot, 'target', 'front', 'wasm32-unknown-unknown', 'wasm-release', 'app.wasm');
const top = Math.max(1, Number.parseInt(args.top, 10) || 25);
const bytes = readFileSync(path);

/** Reads an unsigned LEB128 number at `at`; returns [value, next offset]. */
function leb(at) {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function readName(at) {
  const [length, start] = leb(at);
  return [bytes.toString('utf8', start, start + length), start + length];
}

// Sections: id -> [start, end]; custom sections by name.
const sections = new Map();
for (let at = 8; at < bytes.length; ) {
  const id = bytes[at];
  const [size, start] = leb(at + 1);
  if (id === 0) {
    const [name, body] = readName(start);
    sections.set(name, [body, start + size]);
  } else {
    sections.set(id, [start, start + size]);
  }
  at = start + size;
}
if (!sections.has('name')) {
  console.error(`${path} has no name section: profile the module before wasm-opt (see the header of this script).`);
  process.exit(1);
}

// Imported functions come first in the function index space.
let importedFunctions = 0;
{
  let [count, at] = leb(sections.get(2)[0]);
  for (; count > 0; count--) {
    [, at] = readName(at);
    [, at] = readName(at);
    const kind = bytes[at++];
    if (kind === 0) {
      [, at] = leb(at);
      importedFunctions++;
    } else if (kind === 1) {
      at++; // element type
      let flags;
      [flags, at] = leb(at);
      [, at] = leb(at);
      if (flags & 1) [, at] = leb(at);
    } else if (kind === 2) {
      let flags;
      [flags, at] = leb(at);
      [, at] = leb(at);
      if (flags & 1) [, at] = leb(at);
    } else {
      at += 2; // global: type and mutability
    }
  }
}

const sizes = [];
{
  let [count, at] = leb(sections.get(10)[0]);
  for (; count > 0; count--) {
    const [size, body] = leb(at);
    sizes.push(size);
    at = body + size;
  }
}

const names = new Map();
{
  let [at, end] = sections.get('name');
  while (at < end) {
    const sub = bytes[at];
    const [size, body] = leb(at + 1);
    if (sub === 1) {
      let [count, cursor] = leb(body);
      for (; count > 0; count--) {
        let index;
        let name;
        [index, cursor] = leb(cursor);
        [name, cursor] = readName(cursor);
        names.set(index, name);
      }
    }
    at = body + size;
  }
}

/** A Rust (legacy-mangled) symbol's path segments, readable; other names as they are. */
function segments(name) {
  if (!name.startsWith('_ZN')) return name.split('::');
  const parts = [];
  for (let at = 3; at < name.length && name[at] !== 'E'; ) {
    const length = /^\d+/.exec(name.slice(at));
    if (!length) break;
    at += length[0].length;
    parts.push(
      name
        .slice(at, at + Number(length[0]))
        .replace(/^_\$/, '$')
        .replaceAll('$LT$', '<').replaceAll('$GT$', '>').replaceAll('$u20$', ' ')
        .replaceAll('$RF$', '&').replaceAll('$C$', ',').replaceAll('$u7b$', '{')
        .replaceAll('$u7d$', '}').replaceAll('..', '::'),
    );
    at += Number(length[0]);
  }
  // The last segment of a legacy symbol is its hash.
  if (parts.length > 1 && /^h[0-9a-f]{16}$/.test(parts.at(-1))) parts.pop();
  return parts;
}

/** The first segment of a function's path: its crate, or `<T as Trait>` for trait impls. */
function owner(name) {
  return segments(name)[0];
}

const total = sizes.reduce((a, b) => a + b, 0);
const byOwner = new Map();
const functions = [];
sizes.forEach((size, i) => {
  const name = names.get(i + importedFunctions) ?? '?';
  const key = owner(name);
  byOwner.set(key, (byOwner.get(key) ?? 0) + size);
  functions.push([size, segments(name).join('::')]);
});

const kb = (n) => (n / 1024).toFixed(1);
console.log(`${path}: ${sizes.length} functions, ${kb(total)} KB of code (before wasm-opt)\n`);
console.log('| crate or trait impl | KB | share |\n| --- | ---: | ---: |');
for (const [key, size] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`| \`${key.slice(0, 110)}\` | ${kb(size)} | ${((100 * size) / total).toFixed(1)}% |`);
}
console.log('\n| largest functions | KB |\n| --- | ---: |');
for (const [size, name] of functions.sort((a, b) => b[0] - a[0]).slice(0, top)) {
  console.log(`| \`${name.slice(0, 110)}\` | ${kb(size)} |`);
}
