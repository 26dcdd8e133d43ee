import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { stringify as toYaml } from 'yaml';
import { asyncApiDocument } from '../../contracts/asyncapi-document.ts';
import { eventJsonSchemas } from '../../contracts/event-json-schemas.ts';
import { SchemaExportError } from '../../contracts/schema-export-error.ts';
import type { CliContext } from '../cli-context.ts';
import { CliError, ExitCode } from '../cli-error.ts';

interface DocsOptions {
  readonly jsonSchema?: boolean;
  readonly asyncapi?: boolean;
  readonly format?: string;
  readonly out?: string;
}

const FORMATS = ['yaml', 'json'] as const;

export function registerDocs(program: Command, context: () => Promise<CliContext>): void {
  program
    .command('docs')
    .description("write the service's contract for other stacks: its events' JSON Schemas, or its AsyncAPI 3.0 document")
    .option('--json-schema', "one JSON Schema (draft 2020-12) per event its topics carry; $id is the dataschema of the event's envelopes")
    .option('--asyncapi', 'the AsyncAPI 3.0 document of its topics, queues, operations and messages, at --stage')
    .option('--format <format>', 'with --asyncapi: yaml or json (default: json for an --out ending in .json, else yaml)')
    .option('--out <path>', 'a directory for --json-schema, a file for --asyncapi (default: print it)')
    .action(async (options: DocsOptions) => {
      const format = checkOptions(options);
      const ctx = await context();
      try {
        if (options.jsonSchema) writeJsonSchemas(ctx, options.out);
        else writeAsyncApi(ctx, format!, options.out);
      } catch (error) {
        if (error instanceof SchemaExportError) throw new CliError(error.message, ExitCode.invalidInput);
        throw error;
      }
    });
}

/** Refuses what the options cannot mean, before the topology is loaded; the AsyncAPI format when asked for one. */
function checkOptions(options: DocsOptions): (typeof FORMATS)[number] | undefined {
  const refuse = (message: string) => new CliError(message, ExitCode.invalidInput);
  if (options.jsonSchema === options.asyncapi) {
    throw refuse(options.jsonSchema ? '--json-schema and --asyncapi write different things; run docs once for each' : 'docs needs --json-schema or --asyncapi');
  }
  if (options.out === '') throw refuse('--out is empty; name a directory (--json-schema) or a file (--asyncapi)');
  const out = options.out === undefined ? undefined : statOf(options.out);
  if (options.jsonSchema) {
    if (options.format !== undefined) throw refuse('--format applies to --asyncapi only; --json-schema writes JSON');
    if (out?.isDirectory() === false) throw refuse(`--out ${options.out} is a file; --json-schema writes one file per event into a directory`);
    return undefined;
  }
  if (out?.isDirectory()) throw refuse(`--out ${options.out} is a directory; --asyncapi writes one file, such as ${path.join(options.out!, 'asyncapi.yaml')}`);
  const format = options.format ?? (options.out?.toLowerCase().endsWith('.json') ? 'json' : 'yaml');
  if (!(FORMATS as readonly string[]).includes(format)) throw refuse(`--format '${format}' is not one of ${FORMATS.join(', ')}`);
  return format as (typeof FORMATS)[number];
}

function statOf(file: string) {
  return existsSync(file) ? statSync(file) : undefined;
}

function writeJsonSchemas(ctx: CliContext, out: string | undefined): void {
  const schemas = eventJsonSchemas(ctx.topology);
  if (out === undefined) {
    ctx.io.out(JSON.stringify(schemas.map((event) => event.schema), null, 2));
    return;
  }
  const files = schemas.map((event) => ({ type: event.type, version: event.version, id: event.id, file: path.join(out, event.fileName) }));
  write(out, () => {
    mkdirSync(out, { recursive: true });
    for (const [index, event] of schemas.entries()) writeFileSync(files[index]!.file, `${JSON.stringify(event.schema, null, 2)}\n`);
  });
  ctx.print(files, () => files.map((file) => `wrote ${file.file} (${file.id})`).join('\n') || `${ctx.topology.app} has no topic, so no event to write`);
}

function writeAsyncApi(ctx: CliContext, format: (typeof FORMATS)[number], out: string | undefined): void {
  const document = asyncApiDocument(ctx.topology, { version: serviceVersion(ctx) });
  // No YAML anchors: a reader of the document should not have to follow them.
  const text = format === 'json' ? `${JSON.stringify(document, null, 2)}\n` : toYaml(document, { aliasDuplicateObjects: false });
  if (out === undefined) {
    ctx.io.out(text.trimEnd());
    return;
  }
  write(out, () => {
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(out, text);
  });
  const counts = { channels: Object.keys(document.channels).length, operations: Object.keys(document.operations).length, messages: Object.keys(document.components.messages).length };
  ctx.print({ file: out, format, ...counts }, () => `wrote ${out} (AsyncAPI 3.0, ${format}: ${counts.channels} channels, ${counts.operations} operations, ${counts.messages} messages)`);
}

function write(out: string, action: () => void): void {
  try {
    action();
  } catch (error) {
    throw new CliError(`cannot write ${out}: ${(error as Error).message}`, ExitCode.invalidInput);
  }
}

/** The service's package.json version (next to its config, else here): the document's info.version. */
function serviceVersion(ctx: CliContext): string {
  const file = path.join(ctx.options.config ? path.dirname(path.resolve(ctx.options.config)) : process.cwd(), 'package.json');
  try {
    const { version } = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
    if (typeof version === 'string' && version !== '') return version;
  } catch {
    // No readable package.json: the service has no version of its own.
  }
  return '0.0.0';
}
