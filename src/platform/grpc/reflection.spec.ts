import { describe, expect, it } from 'vitest';
import descriptor from 'protobufjs/ext/descriptor/index.js';
import { loadContracts } from './contracts.js';
import { isTypeDefinition, mapEntryName, reflectionDefinitions } from './reflection.js';

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
