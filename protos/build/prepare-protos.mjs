// Builds the compile set for Grpc.Tools from the pinned npm package: starts at roots.txt, follows
// every import through the package's deps/ roots, copies each file into a build-time folder (never
// into the repository) and applies the two wire-neutral patches that protoc and the C# generator need.
// Usage: node prepare-protos.mjs <depsDir> <rootsFile> <outDir>
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const [depsDir, rootsFile, outDir] = process.argv.slice(2);
if (!depsDir || !rootsFile || !outDir) {
  console.error("usage: prepare-protos.mjs <depsDir> <rootsFile> <outDir>");
  process.exit(2);
}

const searchRoots = ["envoy-api", "xds", "googleapis", "protoc-gen-validate"].map((r) => join(depsDir, r));

// Each patch names the file, the pattern it replaces and why (the package's files have CRLF endings). A patch that no longer matches
// fails the build: a package update must be looked at, not silently compiled differently.
const patches = {
  // BodyMutation has a oneof member `clear_body`; C# would emit a property ClearBody and a method
  // ClearBody() (clears the oneof), which cannot coexist. Same field number and JSON name: identical
  // on the wire and in JSON.
  "envoy/service/ext_proc/v3/external_processor.proto": [
    [/\bbool clear_body = 2;/, 'bool clear_body_chunk = 2 [json_name = "clearBody"];'],
  ],
  // The package's protoc-gen-validate predates StringRules.ignore_empty (field 26), which
  // envoy/config/core/v3/protocol.proto uses in options. Options do not change generated types.
  "validate/validate.proto": [
    [/(optional bool strict = 25 \[default = true\];\r?\n)(\})/, "$1  optional bool ignore_empty = 26;\n$2"],
  ],
};

function locate(rel) {
  for (const root of searchRoots) {
    const candidate = join(root, rel);
    if (existsSync(candidate)) {
      return candidate;
    }
  }
  return null;
}

const roots = readFileSync(rootsFile, "utf8")
  .split("\n")
  .map((l) => l.trim())
  .filter((l) => l && !l.startsWith("#"));

const seen = new Set();
const queue = [...roots];
const importRe = /^\s*import\s+(?:public\s+|weak\s+)?"([^"]+)"\s*;/gm;
let changed = 0;

while (queue.length > 0) {
  const rel = queue.shift();
  if (seen.has(rel) || rel.startsWith("google/protobuf/")) {
    // google/protobuf/* are the well-known types that Google.Protobuf already ships.
    continue;
  }
  const source = locate(rel);
  if (!source) {
    console.error(`prepare-protos: cannot find ${rel} under ${depsDir}`);
    process.exit(1);
  }
  seen.add(rel);
  let text = readFileSync(source, "utf8");
  for (const [from, to] of patches[rel] ?? []) {
    if (!from.test(text)) {
      console.error(`prepare-protos: patch for ${rel} no longer matches: ${from}`);
      process.exit(1);
    }
    text = text.replace(from, to);
  }
  for (const m of text.matchAll(importRe)) {
    queue.push(m[1]);
  }
  const target = join(outDir, rel);
  mkdirSync(dirname(target), { recursive: true });
  // Rewrite only what changed so that incremental builds stay incremental.
  if (!existsSync(target) || readFileSync(target, "utf8") !== text) {
    writeFileSync(target, text);
    changed++;
  }
}

for (const rel of Object.keys(patches)) {
  if (!seen.has(rel)) {
    console.error(`prepare-protos: patched file ${rel} is not in the compile set`);
    process.exit(1);
  }
}

const list = [...seen].sort().join("\n") + "\n";
const listFile = join(outDir, "protos.txt");
if (!existsSync(listFile) || readFileSync(listFile, "utf8") !== list) {
  writeFileSync(listFile, list);
}
console.log(`prepare-protos: ${seen.size} files (${changed} written) in ${outDir}`);
