import type {} from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import { invalid, invalidField, isAppError } from '../../platform/errors.js';
import type { ImageUpload } from './catalog.service.js';

declare module 'fastify' {
  interface FastifyRequest {
    upload?: ImageUpload;
  }
}

/** The seed's clients send the file as `image_url`; `image` is the plain name. */
const IMAGE_FIELDS = new Set(['image', 'image_url']);
const INTEGER_FIELDS = new Set(['stock']);

/**
 * Turns a multipart product form into the same body a JSON client sends (so one schema
 * validates both) and keeps the image aside in `request.upload`. Runs before validation.
 */
export async function readProductForm(request: FastifyRequest): Promise<void> {
  if (!request.isMultipart()) return;
  try {
    request.body = await readParts(request);
  } catch (error) {
    throw asFormError(error);
  }
}

/**
 * The parser (busboy) throws plain errors for a body that is not multipart as announced
 * ("Unexpected end of multipart data", "Boundary not found"): the client's mistake, not
 * ours. Our own errors and the plugin's limits (FST_…, with a 4xx status) pass unchanged.
 */
function asFormError(error: unknown): unknown {
  if (isAppError(error)) return error;
  const { code, statusCode } = (error ?? {}) as { code?: unknown; statusCode?: unknown };
  const clientError = typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500;
  if (clientError && typeof code === 'string' && code.startsWith('FST_')) return error;
  const reason = error instanceof Error ? `: ${error.message.slice(0, 200)}` : '';
  return invalid('invalid_multipart', `the multipart/form-data body is malformed${reason}`);
}

async function readParts(request: FastifyRequest): Promise<Record<string, unknown>> {
  const body: Record<string, unknown> = {};
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      if (!IMAGE_FIELDS.has(part.fieldname)) {
        throw invalidField(part.fieldname, 'unknown_field', `${part.fieldname} is not a known file field`);
      }
      if (request.upload) throw invalidField(part.fieldname, 'too_many_files', 'send at most one image');
      let bytes: Buffer;
      try {
        bytes = await part.toBuffer();
      } catch (error) {
        if ((error as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') {
          throw invalidField(part.fieldname, 'image_too_large', `${part.fieldname} is too large`);
        }
        throw error;
      }
      // Browsers send an empty file part when no file was chosen.
      if (bytes.length > 0 || part.filename) request.upload = { field: part.fieldname, bytes };
      continue;
    }
    const value = String(part.value);
    if (IMAGE_FIELDS.has(part.fieldname)) {
      if (value === '') continue;
      throw invalidField(part.fieldname, 'invalid_type', `${part.fieldname} must be an uploaded file`);
    }
    body[part.fieldname] =
      INTEGER_FIELDS.has(part.fieldname) && /^\d{1,10}$/.test(value) ? Number(value) : value;
  }
  return body;
}
