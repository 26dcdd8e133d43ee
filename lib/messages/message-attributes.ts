import { Buffer } from 'node:buffer';

/**
 * A message attribute as SQS carries it, with its exact data type (`String`,
 * `Number.cents`, `Binary.jpeg`, …). The AWS SDK's MessageAttributeValue has
 * this shape, so SDK attributes pass as they are.
 */
export interface MessageAttribute {
  /** @default 'String' when absent */
  readonly DataType?: string | undefined;
  readonly StringValue?: string | undefined;
  readonly BinaryValue?: Uint8Array | undefined;
}

export type MessageAttributes = Readonly<Record<string, MessageAttribute>>;

/** An attribute as SendMessage takes it: its data type spelled out. */
export type SqsMessageAttribute = MessageAttribute & { readonly DataType: string };

/** The attributes with every data type spelled out (`String` where absent), as SendMessage requires. */
export function withDataTypes(attributes: MessageAttributes): Record<string, SqsMessageAttribute> {
  return Object.fromEntries(Object.entries(attributes).map(([name, attribute]) => [name, { ...attribute, DataType: attribute.DataType ?? 'String' }]));
}

/** SQS accepts at most 10 message attributes. */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** Binary types are `Binary` or `Binary.<custom>`. */
export function isBinaryAttribute(attribute: MessageAttribute): boolean {
  return (attribute.DataType ?? 'String').split('.')[0] === 'Binary';
}

/** Size as SQS counts it: the body, and each attribute's name, data type and value, in bytes. */
export function messageSizeBytes(body: string, attributes: MessageAttributes): number {
  let size = Buffer.byteLength(body);
  for (const [name, attribute] of Object.entries(attributes)) {
    size += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType ?? 'String');
    size += attribute.BinaryValue ? attribute.BinaryValue.byteLength : Buffer.byteLength(attribute.StringValue ?? '');
  }
  return size;
}

/** Plain string attributes, typed `String`: for messages that came without their types. */
export function stringAttributes(values: Readonly<Record<string, string>>): MessageAttributes {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}
