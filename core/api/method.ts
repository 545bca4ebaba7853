// One API method = a request schema, a response schema and a sentence of help. Domains declare their
// methods with defineMethod so the request/response types are derived from the schemas, never
// written twice.
import type { z } from 'zod';

export interface MethodSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  help: string;
}

export function defineMethod<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  help: string,
): MethodSpec<Req, Res> {
  return { request, response, help };
}
