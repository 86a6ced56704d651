import { createRequire } from 'node:module';
import path from 'node:path';
import type * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { ReflectionService } from '@grpc/reflection';
import descriptor from 'protobufjs/ext/descriptor/index.js';

/**
 * Adds server reflection (grpc.reflection.v1 and v1alpha) describing `contracts`, built on
 * the first reflection call instead of at start: ReflectionService decodes every file of
 * every type up front, which cost a server's start 50 to 80 ms for a service few clients
 * ever call. Only the public API is used: a ReflectionService of no types hands over the
 * two services' definitions, and the full one, once made, its handlers.
 */
export function addLazyReflection(
  server: Pick<grpc.Server, 'addService'>,
  contracts: protoLoader.PackageDefinition,
): void {
  let handlers: Map<string, grpc.UntypedServiceImplementation> | undefined;
  const handlersOf = (service: ReflectionService) => {
    const found = new Map<string, grpc.UntypedServiceImplementation>();
    service.addToServer({
      addService: (definition, implementation) => found.set(pathOf(definition), implementation),
    });
    return found;
  };
  for (const [path, definition] of definitionsOf(new ReflectionService({}))) {
    server.addService(definition, {
      ServerReflectionInfo: (stream: grpc.ServerDuplexStream<unknown, unknown>) => {
        handlers ??= handlersOf(new ReflectionService(reflectionDefinitions(contracts)));
        const handle = handlers.get(path)?.ServerReflectionInfo as grpc.handleBidiStreamingCall<
          unknown,
          unknown
        >;
        handle(stream);
      },
    });
  }
}

/** The services a ReflectionService adds, by their method's path. */
function definitionsOf(service: ReflectionService): Map<string, grpc.ServiceDefinition> {
  const found = new Map<string, grpc.ServiceDefinition>();
  service.addToServer({ addService: (definition) => found.set(pathOf(definition), definition) });
  return found;
}

const pathOf = (definition: grpc.ServiceDefinition) => definition.ServerReflectionInfo!.path;

/**
 * What server reflection describes: the services' contracts and the standard health service
 * (grpc.health.v1). grpc-health-check serves the latter but tells reflection nothing of it,
 * so `buf curl` and grpcurl would need its .proto by hand; the package ships that file.
 */
export function reflectionDefinitions(
  contracts: protoLoader.PackageDefinition,
): protoLoader.PackageDefinition {
  return withProtocMapEntryNames({ ...healthDefinitions(), ...contracts });
}

function healthDefinitions(): protoLoader.PackageDefinition {
  const packageJson = createRequire(import.meta.url).resolve('grpc-health-check/package.json');
  return protoLoader.loadSync('health/v1/health.proto', {
    keepCase: true,
    includeDirs: [path.join(path.dirname(packageJson), 'proto')],
  });
}

// The slice of google.protobuf.DescriptorProto that the renaming below touches.
interface MessageDescriptor {
  name?: string;
  field?: { name?: string; typeName?: string }[];
  nestedType?: (MessageDescriptor & { options?: { mapEntry?: boolean } })[];
}

/**
 * protobufjs (under proto-loader) names the entry type of `map<K, V> statuses` `Statuses`,
 * where protoc names it `StatusesEntry`; Go clients (buf curl, grpcurl) refuse such a file,
 * and with it every service it declares (grpcurl issue #519). health.proto has a map (its
 * List method), so the names are put right before reflection hands the files out.
 */
export function withProtocMapEntryNames(
  definitions: protoLoader.PackageDefinition,
): protoLoader.PackageDefinition {
  const fixed = new Map<Buffer, Buffer>();
  const fix = (file: Buffer): Buffer => {
    let result = fixed.get(file);
    if (!result) {
      const decoded = descriptor.FileDescriptorProto.decode(file) as { messageType?: MessageDescriptor[] };
      for (const message of decoded.messageType ?? []) renameMapEntries(message);
      const encoded = descriptor.FileDescriptorProto.encode(decoded).finish();
      result = Buffer.from(encoded.buffer, encoded.byteOffset, encoded.byteLength);
      fixed.set(file, result);
    }
    return result;
  };
  return Object.fromEntries(
    Object.entries(definitions).map(([name, definition]) => [
      name,
      isTypeDefinition(definition)
        ? { ...definition, fileDescriptorProtos: definition.fileDescriptorProtos.map(fix) }
        : definition,
    ]),
  );
}

/** A message or enum (which carry their files), as opposed to a service (which does not). */
export function isTypeDefinition(
  definition: protoLoader.AnyDefinition,
): definition is protoLoader.MessageTypeDefinition<object, object> | protoLoader.EnumTypeDefinition {
  return Array.isArray((definition as { fileDescriptorProtos?: unknown }).fileDescriptorProtos);
}

function renameMapEntries(message: MessageDescriptor): void {
  for (const nested of message.nestedType ?? []) {
    renameMapEntries(nested);
    if (!nested.options?.mapEntry) continue;
    const field = message.field?.find((candidate) => candidate.typeName === nested.name);
    if (!field?.name) continue;
    const entryName = mapEntryName(field.name);
    nested.name = entryName;
    field.typeName = entryName;
  }
}

/** protoc's rule: the field name in CamelCase (underscores dropped), then `Entry`. */
export function mapEntryName(fieldName: string): string {
  return `${fieldName.replace(/(?:^|_)([a-z]?)/g, (_, letter: string) => letter.toUpperCase())}Entry`;
}
