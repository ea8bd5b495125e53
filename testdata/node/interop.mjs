// Confluent's own JavaScript clients on the project's topics: @confluentinc/schemaregistry (Avro serde, registry
// client) and kafkajs. Used by the Java interop tests, in both directions.
//
//   node interop.mjs produce <bootstrap> <registryUrl> <topic> <schemaFile>   JSON lines {key, value} on stdin
//   node interop.mjs consume <bootstrap> <registryUrl> <topic> <count> [timeoutMs]   JSON lines {key, value, partition, offset} on stdout
//
// The producer registers <schemaFile> under <topic>-value (TopicNameStrategy, as the Java serde does) and writes
// with that exact schema (useLatestVersion), so records carry the registry id the Java side resolves.
import fs from 'fs';
import readline from 'readline';
import { Kafka, logLevel } from 'kafkajs';
import { SchemaRegistryClient, AvroSerializer, AvroDeserializer, SerdeType } from '@confluentinc/schemaregistry';

// kafkajs may leave rejected promises behind while brokers come and go; report them instead of crashing Node 20.
process.on('unhandledRejection', (e) => console.error('unhandled rejection:', e?.message ?? e));

const [mode, bootstrap, registryUrl, topic, arg, timeoutArg] = process.argv.slice(2);
if (!mode || !bootstrap || !registryUrl || !topic) {
  console.error('usage: interop.mjs produce|consume <bootstrap> <registryUrl> <topic> <schemaFile|count> [timeoutMs]');
  process.exit(2);
}
const kafka = new Kafka({ clientId: 'confluent-js-interop', brokers: bootstrap.split(','), logLevel: logLevel.WARN });
const registry = new SchemaRegistryClient({ baseURLs: [registryUrl] });

// JSON has no bytes or longs; Avro values come back as Buffers/BigInts, written here as base64/strings.
const toJson = (v) => JSON.stringify(v, (k, x) => {
  if (x && x.type === 'Buffer' && Array.isArray(x.data)) return { base64: Buffer.from(x.data).toString('base64') };
  if (typeof x === 'bigint') return x.toString();
  if (x instanceof Date) return x.getTime();
  return x;
});

if (mode === 'produce') {
  const schema = fs.readFileSync(arg, 'utf8');
  await registry.register(`${topic}-value`, { schemaType: 'AVRO', schema });
  const ser = new AvroSerializer(registry, SerdeType.VALUE, { useLatestVersion: true });
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const rl = readline.createInterface({ input: process.stdin });
  const messages = [];
  for await (const line of rl) {
    if (!line.trim()) continue;
    const { key, value } = JSON.parse(line);
    messages.push({ key, value: await ser.serialize(topic, value) });
  }
  await producer.send({ topic, acks: -1, messages });
  await producer.disconnect();
  console.log(JSON.stringify({ produced: messages.length }));
} else if (mode === 'consume') {
  const want = Number(arg);
  const timeoutMs = Number(timeoutArg || 60000);
  const des = new AvroDeserializer(registry, SerdeType.VALUE, {});
  const consumer = kafka.consumer({ groupId: `interop-${topic}-${process.pid}`, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  const done = new Promise((resolve) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const value = message.value ? await des.deserialize(topic, message.value) : null;
        process.stdout.write(toJson({ key: message.key?.toString() ?? null, value, partition, offset: message.offset }) + '\n');
        if (++seen >= want) resolve();
      },
    });
  });
  const timer = new Promise((resolve) => setTimeout(resolve, timeoutMs));
  await Promise.race([done, timer]);
  await consumer.disconnect();
  if (seen < want) {
    console.error(`consumed ${seen} of ${want} records from ${topic} within ${timeoutMs} ms`);
    process.exit(1);
  }
} else {
  console.error(`unknown mode ${mode}`);
  process.exit(2);
}
process.exit(0);
