// `keptn-task validate` against the second outside review (issue 21b): cases it called "valid"
// although Keptn breaks them. Each fact is read from keptn/lifecycle-toolkit at
// 40e195d78dd1886166e17d2e9c69b75a249fc384 (the file is named in each test, or in the check that
// raises the code); each test was seen failing before its fix.
import { afterAll, describe, expect, it } from "vitest";
import {
  codes,
  deployment,
  NOTIFY,
  removeCaseFolders,
  validateCase as validate,
} from "../helpers/review-cases.js";

afterAll(removeCaseFolders);

describe("H1: the names Keptn builds from a workload's app, workload and version", () => {
  // lifecycle-operator/common/common.go (CreateResourceName, sanitizeResourceNameString: only
  // lower-case and "_" -> "-"); keptnworkload/controller.go (the KeptnWorkloadVersion is
  // "<app>-<workload>-<version>"); handlers/workload.go (the KeptnWorkload "<app>-<workload>").
  it("refuses a version with a + that the KeptnWorkloadVersion name cannot hold", async () => {
    const { findings: list, code } = await validate(
      NOTIFY +
        deployment({
          "keptn.sh/workload": "cart",
          "keptn.sh/version": "1.0.0+build.7",
          "keptn.sh/pre-deployment-tasks": "notify",
        }),
    );
    expect(codes(list)).toEqual(["error WORKLOAD_NAME_INVALID"]);
    expect(list[0]?.rest).toContain('"cart-cart-1.0.0+build.7"');
    expect(list[0]?.rest).toContain("keptn.sh/version");
    expect(code).toBe(65);
  });

  it("refuses a version with a slash", async () => {
    const { findings: list } = await validate(
      NOTIFY + deployment({ "keptn.sh/workload": "cart", "keptn.sh/version": "release/1.2" }),
    );
    expect(codes(list)).toEqual(["error WORKLOAD_NAME_INVALID"]);
  });

  it("takes the version from the image keptn.sh/container names, split at its last colon", async () => {
    // handlers/objectmeta.go getImageVersion: "registry.local:5000/shop/cart" -> "5000/shop/cart"
    const port = await validate(
      NOTIFY +
        deployment(
          { "keptn.sh/workload": "cart", "keptn.sh/container": "cart" },
          "registry.local:5000/shop/cart",
        ),
    );
    expect(codes(port.findings)).toEqual(["error WORKLOAD_NAME_INVALID"]);
    expect(port.findings[0]?.rest).toContain('"5000/shop/cart"');
    const dash = await validate(
      NOTIFY +
        deployment({ "keptn.sh/workload": "cart", "keptn.sh/container": "cart" }, "nginx:1.27-"),
    );
    expect(codes(dash.findings)).toEqual(["error WORKLOAD_NAME_INVALID"]);
  });

  it("refuses a space in the app or the workload: the pod webhook fails and no pod is created", async () => {
    const app = await validate(
      NOTIFY + deployment({ "keptn.sh/app": "shop app", "keptn.sh/workload": "cart" }),
    );
    expect(codes(app.findings)).toEqual(["error WORKLOAD_NAME_INVALID"]);
    expect(app.findings[0]?.rest).toContain("keptn.sh/app");
    const workload = await validate(NOTIFY + deployment({ "keptn.sh/workload": "cart svc" }));
    expect(codes(workload.findings)).toEqual(["error WORKLOAD_NAME_INVALID"]);
  });

  it("accepts what Keptn sanitises: upper case and underscores", async () => {
    const { findings: list, code } = await validate(
      NOTIFY +
        deployment({
          "keptn.sh/app": "Shop_App",
          "keptn.sh/workload": "Cart",
          "keptn.sh/version": "V1.0_rc1",
          "keptn.sh/pre-deployment-tasks": "notify",
        }),
    );
    expect(list).toEqual([]);
    expect(code).toBe(0);
  });
});

describe("H2: shared definitions whose code is a ConfigMap in Keptn's namespace", () => {
  // keptntaskdefinition/controller.go + taskdefinition/handler.go: keptnfn-<name> is created in
  // the definition's namespace; keptntask/runtime_builder.go CreateVolume mounts it by name in
  // the Job's (the workload's) namespace, not optional: the pod never starts.
  const shared = (source: string) => `apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: shared-notify, namespace: keptn-system }
spec:
  deno:
${source}
`;
  it("refuses inline code named by a workload in another namespace", async () => {
    const { findings: list, code } = await validate(
      shared('    inline: { code: console.log("shared") }') +
        deployment({
          "keptn.sh/workload": "cart",
          "keptn.sh/pre-deployment-tasks": "shared-notify",
        }),
    );
    expect(codes(list)).toEqual(["error CONFIGMAP_OTHER_NAMESPACE"]);
    expect(list[0]?.rest).toContain('"shop"');
    expect(code).toBe(65);
  });

  it("refuses a configMapRef whose ConfigMap is only in Keptn's namespace", async () => {
    const cm = `---
apiVersion: v1
kind: ConfigMap
metadata: { name: notify-code, namespace: keptn-system }
data: { code: console.log(1) }
`;
    const { findings: list } = await validate(
      shared("    configMapRef: { name: notify-code }") +
        cm +
        deployment({
          "keptn.sh/workload": "cart",
          "keptn.sh/pre-deployment-tasks": "shared-notify",
        }),
    );
    expect(codes(list)).toEqual(["error CONFIGMAP_OTHER_NAMESPACE"]);
  });
});

describe("H6: names in the Job's pod spec that the API server refuses", () => {
  // kubernetes pkg/apis/core/validation/validation.go: volume names are DNS-1123 labels,
  // ValidateServiceAccountName and validateSecretKeySelector take DNS-1123 subdomains.
  it("refuses a volumeMount name that is not a DNS-1123 label (the emptyDir is named after it)", async () => {
    const { findings: list } = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: ctr-vol, namespace: shop }
spec:
  container:
    name: ctr
    image: busybox:1.36
    resources: { limits: { memory: 64Mi } }
    volumeMounts: [{ name: work.dir, mountPath: /work }]
`);
    expect(codes(list)).toEqual(["error JOB_INVALID"]);
    expect(list[0]?.rest).toContain("spec.container.volumeMounts.0.name");
  });

  it("refuses a serviceAccount and a secureParameters Secret that are not DNS-1123 subdomains", async () => {
    const { findings: list } = await validate(`apiVersion: lifecycle.keptn.sh/v1
kind: KeptnTaskDefinition
metadata: { name: sec, namespace: shop }
spec:
  serviceAccount: { name: Deploy_Bot }
  deno:
    secureParameters: { secret: Slack_Token }
    inline: { code: console.log(1) }
`);
    const invalid = list.filter((f) => f.code === "JOB_INVALID");
    expect(invalid.map((f) => f.level)).toEqual(["error", "error"]);
    expect(invalid.map((f) => f.rest).join("\n")).toContain("spec.serviceAccount.name");
    expect(invalid.map((f) => f.rest).join("\n")).toContain("spec.deno.secureParameters.secret");
  });
});
