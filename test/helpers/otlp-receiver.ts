// A real OTLP/HTTP trace receiver on 127.0.0.1: takes `http/json` and `http/protobuf` posts to
// /v1/traces and decodes them (protobuf with protobufjs and the OTLP trace schema below), so a
// test reads the spans a collector would get.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import protobuf from "protobufjs";

/** The OTLP trace request, as opentelemetry-proto defines it (the fields the tests read). */
const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message InstrumentationScope { string name = 1; string version = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4;
  string name = 5; int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; uint32 dropped_attributes_count = 10;
  repeated Event events = 11; uint32 dropped_events_count = 12; Status status = 15; fixed32 flags = 16;
}
message Event { fixed64 time_unix_nano = 1; string name = 2; repeated KeyValue attributes = 3; }
message Status { string message = 2; int32 code = 3; }
message KeyValue { string key = 1; AnyValue value = 2; }
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
`;
const Request = protobuf.parse(OTLP_TRACE_PROTO).root.lookupType("otlp.ExportTraceServiceRequest");

/** One span as the receiver got it. */
export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly attributes: Record<string, unknown>;
  readonly events: { name: string; attributes: Record<string, unknown> }[];
  /** 0 unset, 1 ok, 2 error. */
  readonly status: { code: number; message: string };
  readonly resource: Record<string, unknown>;
  readonly scope: string;
}

/** One request the receiver got. */
export interface ReceivedRequest {
  readonly path: string;
  readonly contentType: string;
  readonly headers: IncomingMessage["headers"];
  readonly spans: ReceivedSpan[];
}

export interface OtlpReceiver {
  /** `http://127.0.0.1:PORT`: the value of OTEL_EXPORTER_OTLP_ENDPOINT. */
  readonly endpoint: string;
  readonly requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

/**
 * Starts a receiver. `hang`: accept each connection and request and never answer (a collector
 * that is down in the worst way).
 */
export async function startOtlpReceiver(options: { hang?: boolean } = {}): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      if (options.hang) return;
      receive(req, res, Buffer.concat(chunks), requests);
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.flatMap((request) => request.spans),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function receive(
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  requests: ReceivedRequest[],
): void {
  const contentType = req.headers["content-type"] ?? "";
  const json = contentType.includes("json");
  const decoded = json
    ? (JSON.parse(body.toString("utf8")) as Record<string, unknown>)
    : (Request.toObject(Request.decode(body), { longs: String, bytes: String }) as Record<
        string,
        unknown
      >);
  requests.push({
    path: req.url ?? "",
    contentType,
    headers: req.headers,
    spans: spansOf(decoded, json),
  });
  res.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
  res.end(json ? "{}" : "");
}

type Json = Record<string, unknown>;
const list = (value: unknown): Json[] => (Array.isArray(value) ? (value as Json[]) : []);
const field = (object: Json, camel: string, snake: string): unknown =>
  object[camel] ?? object[snake];

function spansOf(request: Json, json: boolean): ReceivedSpan[] {
  // JSON carries ids as hex; protobuf as bytes (base64 from toObject).
  const id = (value: unknown) =>
    typeof value !== "string" || value === ""
      ? ""
      : json
        ? value.toLowerCase()
        : Buffer.from(value, "base64").toString("hex");
  return list(field(request, "resourceSpans", "resource_spans")).flatMap((rs) => {
    const resource = attributes((rs.resource as Json | undefined)?.attributes);
    return list(field(rs, "scopeSpans", "scope_spans")).flatMap((ss) =>
      list(ss.spans).map((span) => {
        const status = (span.status ?? {}) as Json;
        return {
          traceId: id(field(span, "traceId", "trace_id")),
          spanId: id(field(span, "spanId", "span_id")),
          parentSpanId: id(field(span, "parentSpanId", "parent_span_id")),
          name: String(span.name ?? ""),
          attributes: attributes(span.attributes),
          events: list(span.events).map((event) => ({
            name: String(event.name ?? ""),
            attributes: attributes(event.attributes),
          })),
          status: { code: Number(status.code ?? 0), message: String(status.message ?? "") },
          resource,
          scope: String(((ss.scope ?? {}) as Json).name ?? ""),
        };
      }),
    );
  });
}

function attributes(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list(value)) out[String(kv.key)] = anyValue((kv.value ?? {}) as Json);
  return out;
}

function anyValue(value: Json): unknown {
  const v =
    field(value, "stringValue", "string_value") ??
    field(value, "boolValue", "bool_value") ??
    field(value, "doubleValue", "double_value");
  if (v !== undefined) return v;
  const int = field(value, "intValue", "int_value");
  if (int !== undefined) return Number(int);
  const array = field(value, "arrayValue", "array_value") as Json | undefined;
  if (array !== undefined) return list(array.values).map(anyValue);
  return undefined;
}
