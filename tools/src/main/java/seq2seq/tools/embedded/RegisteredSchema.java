package seq2seq.tools.embedded;

import org.apache.avro.Schema;

/** One version of a subject: its registry id, version number, parsed schema and the text it was registered with. */
record RegisteredSchema(int id, int version, Schema schema, String text) {
}
