import type { UploadRequest, UploadTicket } from "./types";

/** Thrown when the storage refuses the presigned POST (e.g. the policy's size limit). */
export class UploadError extends Error {
  override readonly name = "UploadError";
  constructor(readonly status: number) {
    super(`upload failed with HTTP ${status}`);
  }
}

/** A type the API accepts: the contract's `UploadRequest.contentType` enum (docs/openapi.json). */
export type UploadContentType = UploadRequest["contentType"];

/** The contract's `UploadRequest.sizeBytes` maximum (web/tests/upload.test.ts compares them). */
export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** The accepted types by file extension, for files the browser did not type; a type the contract
 * stops accepting is a build error here. */
export const ALLOWED_TYPES = {
  pdf: "application/pdf",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  pptx: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  txt: "text/plain",
  zip: "application/zip",
} as const satisfies Readonly<Record<string, UploadContentType>>;

const ACCEPTED: ReadonlySet<string> = new Set(Object.values(ALLOWED_TYPES));

export function isAllowedType(contentType: string): contentType is UploadContentType {
  return ACCEPTED.has(contentType);
}

/** The type to declare for a file: the browser's if the API accepts it, else by its extension;
 * null when the API accepts neither. */
export function contentTypeOf(file: { name: string; type: string }): UploadContentType | null {
  if (isAllowedType(file.type)) return file.type;
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  const byExtension: Readonly<Record<string, UploadContentType>> = ALLOWED_TYPES;
  return byExtension[ext] ?? null;
}

/**
 * POSTs the file to the presigned form with XMLHttpRequest (fetch has no upload progress): every
 * field of the ticket as it is, the file last as `file` with its declared Content-Type.
 */
export function postToStorage(
  ticket: UploadTicket,
  file: Blob,
  contentType: string,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(ticket.fields)) form.append(name, value);
    form.append("file", file.type === contentType ? file : new Blob([file], { type: contentType }));
    const xhr = new XMLHttpRequest();
    xhr.open("POST", ticket.url);
    xhr.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable && e.total > 0) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve();
      } else reject(new UploadError(xhr.status));
    });
    xhr.addEventListener("error", () => reject(new UploadError(0)));
    xhr.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    signal?.addEventListener("abort", () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}
