import { OpenAPIRegistry, OpenApiGeneratorV31, extendZodWithOpenApi } from "@asteasolutions/zod-to-openapi";
import { z } from "zod";

extendZodWithOpenApi(z);

/**
 * One registry for the whole service. Each feature registers its routes next
 * to the zod schemas that validate them (registerPath in its own module), so
 * the document served at /api/openapi.json cannot drift from the code.
 */
export const openApiRegistry = new OpenAPIRegistry();

openApiRegistry.registerComponent("securitySchemes", "apiKey", {
  type: "http",
  scheme: "bearer",
  description: "An organization's API key (created with `npm run cli -- api-key create`).",
});

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ field: z.string().optional(), message: z.string() }).passthrough()).optional(),
    }),
  })
  .openapi("Error");

export function buildOpenApiDocument(serverUrl: string) {
  return new OpenApiGeneratorV31(openApiRegistry.definitions).generateDocument({
    openapi: "3.1.0",
    info: {
      title: "NKI survey service",
      version: "1",
      description: "Post-call citizen satisfaction (NKI) surveys for municipal contact centres.",
    },
    servers: [{ url: serverUrl }],
  });
}
