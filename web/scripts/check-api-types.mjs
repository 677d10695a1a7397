// Fails when src/api/schema.d.ts is not what openapi-typescript generates from docs/openapi.json.
// Usage: node scripts/check-api-types.mjs [openapi.json] [schema.d.ts] (defaults: the committed files).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const contract = resolve(process.argv[2] ?? join(web, "..", "docs", "openapi.json"));
const generated = resolve(process.argv[3] ?? join(web, "src", "api", "schema.d.ts"));
const cli = join(web, "node_modules", ".bin", "openapi-typescript");

const dir = mkdtempSync(join(tmpdir(), "manabi-api-types-"));
try {
  const fresh = join(dir, "schema.d.ts");
  execFileSync(cli, [contract, "-o", fresh], { stdio: ["ignore", "ignore", "inherit"] });
  let current = "";
  try {
    current = readFileSync(generated, "utf8");
  } catch {
    current = "";
  }
  if (current !== readFileSync(fresh, "utf8")) {
    console.error(
      `${generated} is out of date with ${contract}.\n` +
        "Regenerate it with `npm --prefix web run gen:api` (after `python tools/codegen.py` if the API changed) and commit it.",
    );
    process.exit(1);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
