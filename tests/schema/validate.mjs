// Validates documents of a manifest stream against the Kubernetes OpenAPI
// schemas shipped in the npm package kubernetes-models (offline).
// usage: node validate.mjs [--only-annotated KEY] FILE...
// Prints one line per object checked; exit 1 when any is invalid. Kinds the
// package does not know (custom resources) are skipped and counted.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
let only = null;
if (args[0] === "--only-annotated") {
  only = args[1];
  args.splice(0, 2);
}
let checked = 0, skipped = 0, invalid = 0;
for (const file of args) {
  for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) {
      console.log(`INVALID ${file}: YAML: ${doc.errors[0].message}`);
      invalid++;
      continue;
    }
    const o = doc.toJS();
    if (!o || typeof o !== "object" || !o.kind || !o.apiVersion) continue;
    const tmpl = o.spec?.template?.metadata?.annotations ??
      o.spec?.jobTemplate?.spec?.template?.metadata?.annotations ??
      (o.kind === "Pod" ? o.metadata?.annotations : undefined) ?? {};
    if (only && !(only in tmpl)) continue;
    const id = `${o.apiVersion} ${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
    let Cls;
    try {
      Cls = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`))[o.kind];
      if (!Cls) throw new Error("no class");
    } catch {
      skipped++;
      continue;
    }
    try {
      new Cls(o).validate();
      checked++;
      console.log(`valid ${id}`);
    } catch (e) {
      invalid++;
      console.log(`INVALID ${id}: ${e.message}`);
    }
  }
}
console.log(`checked ${checked}, invalid ${invalid}, skipped ${skipped} (kinds without a schema)`);
process.exitCode = invalid ? 1 : 0;
