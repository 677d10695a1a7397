import type { UploadTicket } from "./types";

/** Thrown when the storage refuses the presigned POST (e.g. the policy's size limit). */
export class UploadError extends Error {
  override readonly name = "UploadError";
  constructor(readonly status: number) {
    super(`upload failed with HTTP ${status}`);
  }
}

export const MAX_UPLOAD_BYTES = 100 * 1024 * 1024;

/** Types the API accepts (docs/contracts.md), by file extension for files the browser did not type. */
export const ALLOWED_TYPES: Readonly<Record<string, string>> = {
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
};

export function contentTypeOf(file: { name: string; type: string }): string {
  const ext = file.name.split(".").pop()?.toLowerCase() ?? "";
  const byExt = ALLOWED_TYPES[ext];
  if (file.type && Object.values(ALLOWED_TYPES).includes(file.type)) return file.type;
  return byExt ?? (file.type || "application/octet-stream");
}

export function isAllowedType(contentType: string): boolean {
  return Object.values(ALLOWED_TYPES).includes(contentType);
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
