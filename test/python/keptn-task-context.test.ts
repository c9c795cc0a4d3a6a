import { describe, expect, it } from "vitest";
import { issueMessage } from "../helpers/vectors.js";
import {
  configFailure,
  context,
  fixture,
  NOT_NUMBERS,
  runPython,
  SECRET,
  TRACEPARENT,
} from "./keptn-task-helpers.js";

// The Python package `keptn_task` (sdk-python) exercised by the machine's real python3: its context, data
// and secure data.
// Shared helpers: keptn-task-helpers.ts.

describe("keptn_task context, data and secure data", () => {
  it("reads a typed context with its trace context from KEPTN_CONTEXT as the operator sets it", async () => {
    const result = await runPython([fixture("print_task.py")], {
      KEPTN_CONTEXT: context({ futureKey: { added: "later" } }),
      DATA: '{"url":"http://podtato-head:9000","retries":"3"}',
      SECURE_DATA: SECRET,
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.context).toMatchObject({
      provided: true,
      workload_name: "podtato-head-entry",
      app_name: "podtato-head",
      app_version: "",
      workload_version: "0.3.1",
      task_type: "post",
      object_type: "Workload",
      metadata: { traceparent: TRACEPARENT, team: "checkout" },
      trace: {
        version: "00",
        trace_id: "4bf92f3577b34da6a3ce929d0e0e4736",
        parent_id: "00f067aa0ba902b7",
        flags: "01",
        sampled: true,
      },
    });
    expect(printed.context.raw.workloadName).toBe("podtato-head-entry");
    expect(printed.context.raw.futureKey).toEqual({ added: "later" });
    expect(printed.data).toEqual({ url: "http://podtato-head:9000", retries: "3" });
    expect(printed.secureDataType).toBe("str");
    expect(result.stdout).not.toContain(SECRET);
  });

  it("takes traceparent from the top level of KEPTN_CONTEXT when metadata has none", async () => {
    const unsampled = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00";
    const result = await runPython([fixture("print_task.py")], {
      KEPTN_CONTEXT: context({ metadata: { team: "checkout" }, traceparent: unsampled }),
    });
    expect(result.code).toBe(0);
    const { trace } = JSON.parse(result.stdout).context;
    expect(trace.trace_id).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(trace.sampled).toBe(false);
  });

  it.each([
    ["a malformed value", "not-a-traceparent"],
    ["an all-zero trace id", "00-00000000000000000000000000000000-00f067aa0ba902b7-01"],
    ["version ff", "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"],
  ])("ignores a traceparent with %s instead of failing the task", async (_name, traceparent) => {
    const result = await runPython([fixture("print_task.py")], {
      KEPTN_CONTEXT: context({ metadata: { traceparent } }),
    });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.context.provided).toBe(true);
    expect(printed.context.trace).toBeNull();
  });

  it("gives an empty, not-provided context and empty data in a local run without variables", async () => {
    const result = await runPython([fixture("print_task.py")]);
    expect(result.code).toBe(0);
    const printed = JSON.parse(result.stdout);
    expect(printed.context).toEqual({
      provided: false,
      workload_name: "",
      app_name: "",
      app_version: "",
      workload_version: "",
      task_type: "",
      object_type: "",
      metadata: {},
      trace: null,
      raw: {},
    });
    expect(printed.data).toEqual({});
    expect(printed.secureDataType).toBe("NoneType");
  });

  it("coerces Keptn's strings with a dict data_schema: numbers and case-insensitive booleans", async () => {
    const result = await runPython([fixture("print_task.py"), "dict"], {
      DATA: '{"port":"8080","ratio":"0.25","verbose":"TRUE","name":"checkout","ignored":"x"}',
    });
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.data).toEqual({ port: 8080, ratio: 0.25, verbose: true, name: "checkout" });
    expect(printed.dataType).toBe("dict");
  });

  it("fills a dataclass data_schema and honours its defaults", async () => {
    const result = await runPython([fixture("print_task.py"), "dataclass"], {
      DATA: '{"url":"http://svc","dry_run":"False","ratio":"1e2"}',
    });
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.dataType).toBe("Params");
    expect(printed.data).toEqual({
      url: "http://svc",
      port: 8080,
      ratio: 100,
      dry_run: false,
      label: null,
    });
  });

  it("lists every DATA value the schema cannot coerce and every missing required key", async () => {
    const result = await runPython([fixture("print_task.py"), "dict"], {
      DATA: '{"port":"80.5","ratio":"fast","verbose":"yes"}',
    });
    expect(result.code).toBe(78);
    expect(configFailure(result.stderr).issues).toEqual([
      // The messages are the shared vectors' (test/vectors/data.json), as the TS SDK writes them.
      ["DATA", "port", issueMessage("data.json", "a fraction for an integer field", "port")],
      ["DATA", "ratio", issueMessage("data.json", NOT_NUMBERS, "a")],
      [
        "DATA",
        "verbose",
        issueMessage("data.json", "strings that are not booleans stay strings", "a"),
      ],
      [
        "DATA",
        "name",
        issueMessage("data.json", "missing required fields, in the schema's order", "url"),
      ],
    ]);
  });

  it("parses SECURE_DATA as JSON with secure_json", async () => {
    const result = await runPython([fixture("print_task.py"), "none", "--secure-json"], {
      SECURE_DATA: JSON.stringify({ user: "admin", password: SECRET }),
    });
    expect(result.stderr).toBe("");
    const printed = JSON.parse(result.stdout);
    expect(printed.secureDataType).toBe("dict");
    expect(printed.secureDataKeys).toEqual(["password", "user"]);
  });
});
