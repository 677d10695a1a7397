// @vitest-environment node
/// <reference types="node" />
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const contract = join(web, "..", "docs", "openapi.json");
const schema = join(web, "src", "api", "schema.d.ts");
const dirs: string[] = [];

function check(contractPath: string, schemaPath: string) {
  return spawnSync(process.execPath, [join(web, "scripts", "check-api-types.mjs"), contractPath, schemaPath], { encoding: "utf8" });
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the SPA's API types are generated from docs/openapi.json", () => {
  it("the committed schema.d.ts is current", () => {
    const result = check(contract, schema);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("fails, naming the command to run, when a field is renamed in the contract and schema.d.ts is not regenerated", () => {
    const dir = mkdtempSync(join(tmpdir(), "manabi-api-types-test-"));
    dirs.push(dir);
    const renamed = JSON.parse(readFileSync(contract, "utf8")) as {
      components: { schemas: Record<string, { properties: Record<string, unknown>; required?: string[] }> };
    };
    const course = renamed.components.schemas["Course"]!;
    course.properties["heading"] = course.properties["title"];
    delete course.properties["title"];
    course.required = (course.required ?? []).map((f) => (f === "title" ? "heading" : f));
    const contractPath = join(dir, "openapi.json");
    writeFileSync(contractPath, JSON.stringify(renamed));
    const stale = join(dir, "schema.d.ts");
    copyFileSync(schema, stale);

    const result = check(contractPath, stale);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("is out of date");
    expect(result.stderr).toContain("npm --prefix web run gen:api");
  });
});
