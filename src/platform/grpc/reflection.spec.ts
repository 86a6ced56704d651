import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { loadContracts } from './contracts.js';
import { addLazyReflection, isTypeDefinition, mapEntryName, reflectionDefinitions } from './reflection.js';

interface FileJson {
  name: string;
  service?: { name: string; method: { name: string }[] }[];
  messageType?: {
    name: string;
    field?: { name: string; typeName?: string }[];
    nestedType?: { name: string; options?: { mapEntry?: boolean } }[];
  }[];
}

/** Every distinct file reflection would hand out, decoded. */
function reflectedFiles(): FileJson[] {
  const files = new Map<string, FileJson>();
  for (const definition of Object.values(reflectionDefinitions(loadContracts().definitions))) {
    if (!isTypeDefinition(definition)) continue;
    for (const bytes of definition.fileDescriptorProtos) {
      const file = descriptor.FileDescriptorProto.toObject(
        descriptor.FileDescriptorProto.decode(bytes),
      ) as FileJson;
      files.set(file.name, file);
    }
  }
  return [...files.values()];
}

describe('server reflection', () => {
  it('describes grpc.health.v1.Health beside the contracts', () => {
    const services = reflectedFiles().flatMap((file) => file.service ?? []);
    const health = services.find((service) => service.name === 'Health');
    expect(health?.method.map((method) => method.name)).toEqual(
      expect.arrayContaining(['Check', 'Watch', 'List']),
    );
    expect(services.map((service) => service.name)).toEqual(
      expect.arrayContaining(['UserService', 'CatalogService', 'PaymentService']),
    );
  });

  it('names map entry types as protoc does, so Go clients accept the file', () => {
    const health = reflectedFiles().find((file) =>
      file.service?.some((service) => service.name === 'Health'),
    );
    const listResponse = health?.messageType?.find((message) => message.name === 'HealthListResponse');
    expect(listResponse?.nestedType).toEqual([
      expect.objectContaining({ name: 'StatusesEntry', options: { mapEntry: true } }),
    ]);
    expect(listResponse?.field?.find((field) => field.name === 'statuses')?.typeName).toBe('StatusesEntry');
  });

  it.each([
    ['statuses', 'StatusesEntry'],
    ['field_metadata', 'FieldMetadataEntry'],
    ['by_id_2', 'ById2Entry'],
    ['Labels', 'LabelsEntry'],
  ])('names the entry of map field %s %s', (field, entry) => {
    expect(mapEntryName(field)).toBe(entry);
  });
});

describe('reflection added lazily', () => {
  const server = new grpc.Server();
  afterAll(() => server.forceShutdown());

  it('serves both protocol versions, describing the contracts on the first call', async () => {
    addLazyReflection(server, loadContracts().definitions);
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
        error ? reject(error) : resolve(bound),
      ),
    );
    const protos = path.join(
      path.dirname(createRequire(import.meta.url).resolve('@grpc/reflection/package.json')),
      'build',
      'proto',
    );
    for (const version of ['v1', 'v1alpha']) {
      const file = path.join(protos, `grpc/reflection/${version}/reflection.proto`);
      const loaded = grpc.loadPackageDefinition(
        protoLoader.loadSync(file, { keepCase: true }),
      ) as unknown as {
        grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
      };
      const client = new loaded.grpc.reflection[version]!.ServerReflection(
        `127.0.0.1:${port}`,
        grpc.credentials.createInsecure(),
      );
      const call = client.ServerReflectionInfo!() as grpc.ClientDuplexStream<
        object,
        { list_services_response?: { service: { name: string }[] } }
      >;
      const answer = new Promise<string[]>((resolve, reject) => {
        call.on('data', (response: { list_services_response?: { service: { name: string }[] } }) =>
          resolve(response.list_services_response?.service.map((service) => service.name) ?? []),
        );
        call.on('error', reject);
      });
      call.write({ list_services: '' });
      const services = await answer;
      call.end();
      client.close();
      expect(services).toEqual(
        expect.arrayContaining([
          'mamlaka.users.v1.UserService',
          'mamlaka.catalog.v1.CatalogService',
          'grpc.health.v1.Health',
        ]),
      );
    }
  });
});
