import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

/**
 * Validates the feed against the Open Referral UK profile as published: its JSON Schemas and its
 * API description (schema/openapi.json), copied into test/openreferral/profile (SOURCE.md there says from where).
 */
export const orukRoot = path.join(path.dirname(fileURLToPath(import.meta.url)), 'profile');
const schemaDir = path.join(orukRoot, 'schema');

if (!existsSync(path.join(schemaDir, 'openapi.json')) || !existsSync(path.join(schemaDir, 'compiled'))) {
  throw new Error(
    `The Open Referral UK schemas are missing: expected ${schemaDir}/openapi.json and ${schemaDir}/compiled/. ` +
      'Copy schema/ of the OpenReferralUK/uk-profile repository there (see SOURCE.md).',
  );
}

type Schema = Record<string, unknown>;
const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Schema;

// The API description names every schema by its address in the profile's repository.
const PROFILE_BASE = 'https://raw.githubusercontent.com/openreferral/uk-profile/main/schema/';

// CommonJS modules seen from ESM: the class may sit on .default.
const Ajv2020 = ((Ajv2020Module as unknown as { default?: unknown }).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as typeof addFormatsModule.default;

export const openapi = readJson(path.join(schemaDir, 'openapi.json')) as {
  jsonSchemaDialect: string;
  paths: Record<string, { get: { responses: { '200': { content: { 'application/json': { schema: Schema } } } } } }>;
  components: { schemas: { Page: Schema } };
};

// The profile's schemas carry extra keywords of their own (core, constraints, datapackage_type…):
// not strict, so those are ignored and everything standard is checked, formats included.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);

for (const folder of ['', 'compiled']) {
  for (const file of readdirSync(path.join(schemaDir, folder)).filter((f) => f.endsWith('.json') && f !== 'openapi.json')) {
    const schema = readJson(path.join(schemaDir, folder, file));
    ajv.addSchema({ ...schema, $id: `${PROFILE_BASE}${folder ? `${folder}/` : ''}${file}` });
  }
}

// The page envelope, as the API description defines it, and with every field present.
const PAGE_ID = 'urn:tasters:oruk:page';
const pageFields = ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents'];
ajv.addSchema({ ...openapi.components.schemas.Page, $id: PAGE_ID, required: pageFields });

function responseSchema(apiPath: string): Schema {
  const schema = openapi.paths[apiPath]?.get.responses['200'].content['application/json'].schema;
  if (!schema) throw new Error(`openapi.json describes no 200 response for GET ${apiPath}`);
  // Point the description's local reference to the page envelope at our copy of it.
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/Page"', JSON.stringify(PAGE_ID))) as Schema;
}

/**
 * The schema each endpoint's answer must meet, read from the API description — with one
 * correction: the profile's openapi.json gives /service_at_locations/{id} the service schema
 * (compiled/service.json), evidently a slip, since the operation returns "a fully nested
 * service_at_location"; HSDS 3.0 and the profile's own compiled/service_at_location.json agree.
 */
const endpointSchemas: Record<string, Schema> = {
  '/': { ...responseSchema('/'), required: ['version', 'profile', 'openapi_url'] },
  '/services': responseSchema('/services'),
  '/services/{id}': responseSchema('/services/{id}'),
  '/service_at_locations': responseSchema('/service_at_locations'),
  '/service_at_locations/{id}': { $ref: `${PROFILE_BASE}compiled/service_at_location.json` },
  '/taxonomies': responseSchema('/taxonomies'),
  '/taxonomies/{id}': responseSchema('/taxonomies/{id}'),
  '/taxonomy_terms': responseSchema('/taxonomy_terms'),
  '/taxonomy_terms/{id}': responseSchema('/taxonomy_terms/{id}'),
  // Not in the profile's API description: HSDS 3.0's, which answers them with the profile's own
  // compiled organization schemas (a page of organization_list, and a fully nested organization).
  '/organizations': {
    allOf: [{ $ref: PAGE_ID }],
    properties: { contents: { type: 'array', items: { $ref: `${PROFILE_BASE}compiled/organization_list.json` } } },
  },
  '/organizations/{id}': { $ref: `${PROFILE_BASE}compiled/organization.json` },
};

export type Endpoint = keyof typeof endpointSchemas;
export const endpoints = Object.keys(endpointSchemas) as Endpoint[];

const validators = new Map(Object.entries(endpointSchemas).map(([endpoint, schema]) => [endpoint, ajv.compile(schema)]));

/** The problems with an answer, as readable lines; empty when it meets the profile. */
export function problems(endpoint: Endpoint, body: unknown): string[] {
  const validate = validators.get(endpoint)!;
  if (validate(body)) return [];
  return (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''} ${JSON.stringify(error.params)}`);
}
