// The HTTP plumbing the dashboard's server shares: an error that carries its status, JSON
// bodies read with a size cap, and JSON replies. A bad request is answered with its status
// and one clear message; it never takes the server down.

import type { IncomingMessage, ServerResponse } from "node:http";

/** A request the server refuses: the status and a message for the person who sent it. */
export class HttpError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
    this.name = "HttpError";
  }
}

/** Request bodies above this are refused (a spec file is at most 256 KiB; JSON escaping can double it). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The request's body parsed as a JSON object; 413 past MAX_BODY_BYTES, 400 when it is not a JSON object. */
export async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = req.headers["content-type"] ?? "";
  if (!/^application\/json\b/i.test(type)) throw new HttpError(415, `send the request body as application/json (got '${type || "no content type"}')`);
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw tooLarge(req);
    chunks.push(chunk);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch (e) {
    throw new HttpError(400, `malformed JSON in the request body: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "the request body must be a JSON object");
  return value as Record<string, unknown>;
}

/** 413, and the rest of the body is not read: the connection closes after the reply. */
function tooLarge(req: IncomingMessage): HttpError {
  req.pause();
  return new HttpError(413, `request body over ${MAX_BODY_BYTES / 1024} KiB`);
}

/** An optional string field of a request body. */
export function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = Object.hasOwn(body, key) ? body[key] : undefined;
  if (value === undefined) return undefined;
  if (typeof value !== "string") throw new HttpError(400, `'${key}' must be a string`);
  return value;
}

export function sendJson(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body), "cache-control": "no-store" });
  res.end(body);
}

export function sendError(res: ServerResponse, e: HttpError, close = false): void {
  if (res.headersSent) return void res.end();
  if (close) res.setHeader("connection", "close");
  sendJson(res, e.status, { error: e.message });
}
