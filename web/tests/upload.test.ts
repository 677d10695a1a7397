import { afterEach, describe, expect, it, vi } from "vitest";
import { ALLOWED_TYPES, MAX_UPLOAD_BYTES, UploadError, contentTypeOf, isAllowedType, postToStorage } from "../src/api/upload";
import type { UploadTicket } from "../src/api/types";

import contract from "../../docs/openapi.json";

describe("file checks", () => {
  it("types files by the browser's type or the extension, and knows the accepted types", () => {
    expect(contentTypeOf({ name: "a.pdf", type: "application/pdf" })).toBe("application/pdf");
    expect(contentTypeOf({ name: "memo.TXT", type: "" })).toBe("text/plain");
    expect(contentTypeOf({ name: "report.docx", type: "application/octet-stream" })).toBe(
      "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    );
    expect(contentTypeOf({ name: "tool.exe", type: "application/x-msdownload" })).toBeNull();
    expect(isAllowedType("application/x-msdownload")).toBe(false);
    expect(MAX_UPLOAD_BYTES).toBe(104857600);
  });

  it("MP-API-01: accepts exactly the contract's content types and size limit", () => {
    const upload = contract.components.schemas.UploadRequest.properties;
    expect(new Set(Object.values(ALLOWED_TYPES))).toEqual(new Set(upload.contentType.enum));
    expect(MAX_UPLOAD_BYTES).toBe(upload.sizeBytes.maximum);
  });
});

class FakeXhr {
  static last: FakeXhr | null = null;
  status = 0;
  method = "";
  url = "";
  body: FormData | null = null;
  readonly upload = new EventTarget();
  private readonly events = new EventTarget();
  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string): void {
    this.method = method;
    this.url = url;
  }
  addEventListener(type: string, fn: EventListener): void {
    this.events.addEventListener(type, fn);
  }
  send(body: FormData): void {
    this.body = body;
  }
  abort(): void {
    this.events.dispatchEvent(new Event("abort"));
  }
  finish(status: number): void {
    this.status = status;
    const progress = Object.assign(new Event("progress"), { lengthComputable: true, loaded: 5, total: 10 });
    this.upload.dispatchEvent(progress);
    this.events.dispatchEvent(new Event("load"));
  }
}

describe("postToStorage", () => {
  afterEach(() => vi.unstubAllGlobals());
  const ticket: UploadTicket = {
    uploadId: "u1",
    key: "submissions/c/a/l/u1",
    url: "http://bucket/",
    fields: { key: "submissions/c/a/l/u1", policy: "p", "Content-Type": "text/plain" },
    expiresAt: "2099-01-01T00:00:00Z",
    maxBytes: 10,
  };

  it("posts the ticket's fields first and the file last, reporting progress", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const seen: number[] = [];
    const done = postToStorage(ticket, new Blob(["hello"], { type: "text/plain" }), "text/plain", (f) => seen.push(f));
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe("POST");
    expect(xhr.url).toBe("http://bucket/");
    expect([...xhr.body!.keys()]).toEqual(["key", "policy", "Content-Type", "file"]);
    xhr.finish(204);
    await done;
    expect(seen).toEqual([0.5, 1]);
  });

  it("fails with UploadError when the storage refuses the form", async () => {
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
    const done = postToStorage(ticket, new Blob(["x"]), "text/plain", () => undefined);
    FakeXhr.last!.finish(403);
    await expect(done).rejects.toBeInstanceOf(UploadError);
  });
});
