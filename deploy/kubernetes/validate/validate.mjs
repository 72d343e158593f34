#!/usr/bin/env node
// Offline checks of the hub's Kubernetes manifests (no cluster, no network):
//   node validate.mjs render DIR              print the kustomization in DIR rendered (the subset of kustomize we use)
//   node validate.mjs check FILE|-            validate a rendered YAML stream: Kubernetes schemas + the hub's rules
//   node validate.mjs same FILE FILE          exit 1 unless both streams hold the same objects (order aside)
// Schemas: kubernetes-models@4 (Kubernetes 1.27). They check types, required fields and formats, not unknown
// fields; the hub's rules below cover the fields whose absence would go unnoticed (probes, limits, security).
import { readFileSync, existsSync, statSync } from "node:fs";
import { join, dirname, resolve } from "node:path";
import { parseAllDocuments, stringify } from "yaml";

const fail = (msg) => { throw new Error(msg); };

function readDocs(text, source) {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) fail(`${source}: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS();
    return value == null ? [] : [value];
  });
}

// ---- render: resources, components, namespace, labels, images, patches (strategic merge) -------------------

const KUSTOMIZATION_KEYS = new Set(["apiVersion", "kind", "resources", "components", "namespace", "labels", "images", "patches"]);
const CLUSTER_SCOPED = new Set(["Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
  "PersistentVolume", "StorageClass", "IngressClass", "PriorityClass"]);
// Strategic-merge keys of the lists we patch; any other list is replaced, as kustomize does.
const MERGE_KEYS = { containers: "name", initContainers: "name", volumes: "name", volumeMounts: "mountPath",
  env: "name", ports: null /* containerPort or port, see below */ };

function loadKustomization(dir) {
  const file = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => join(dir, f)).find(existsSync);
  if (!file) fail(`${dir}: no kustomization.yaml`);
  const [k] = readDocs(readFileSync(file, "utf8"), file);
  for (const key of Object.keys(k)) {
    if (!KUSTOMIZATION_KEYS.has(key)) fail(`${file}: '${key}' is beyond this renderer; render with kubectl kustomize`);
  }
  return k;
}

function render(dir) {
  const k = loadKustomization(dir);
  let objects = [];
  for (const entry of k.resources ?? []) {
    const path = resolve(dir, entry);
    objects.push(...(statSync(path).isDirectory() ? render(path) : readDocs(readFileSync(path, "utf8"), path)));
  }
  for (const entry of k.components ?? []) objects = applyComponent(resolve(dir, entry), objects);
  objects = applyPatches(dir, k.patches ?? [], objects);
  for (const { pairs, includeSelectors, includeTemplates } of k.labels ?? []) {
    if (includeSelectors) fail(`${dir}: labels.includeSelectors is beyond this renderer`);
    for (const o of objects) {
      o.metadata.labels = { ...o.metadata.labels, ...pairs };
      if (includeTemplates && o.spec?.template?.metadata) o.spec.template.metadata.labels = { ...o.spec.template.metadata.labels, ...pairs };
    }
  }
  if (k.namespace) for (const o of objects) if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
  for (const image of k.images ?? []) for (const o of objects) retagImages(o, image);
  return objects;
}

function applyComponent(dir, objects) {
  const k = loadKustomization(dir);
  if (k.kind !== "Component") fail(`${dir}: not a Component`);
  const own = (k.resources ?? []).flatMap((r) => readDocs(readFileSync(resolve(dir, r), "utf8"), r));
  return applyPatches(dir, k.patches ?? [], [...objects, ...own]);
}

function applyPatches(dir, patches, objects) {
  for (const p of patches) {
    if (!p.path || p.patch) fail(`${dir}: only patches with a path are supported`);
    for (const patch of readDocs(readFileSync(resolve(dir, p.path), "utf8"), p.path)) {
      const targets = objects.filter((o) => p.target ? matchesTarget(o, p.target)
        : o.kind === patch.kind && o.metadata.name === patch.metadata.name);
      if (targets.length === 0) fail(`${dir}: patch ${p.path} matches no object`);
      for (const o of targets) {
        const { metadata: { name: _ignored, ...metadata } = {}, ...rest } = patch;
        merge(o, { ...rest, metadata }, "");
      }
    }
  }
  return objects;
}

function matchesTarget(o, { kind, name, labelSelector, ...rest }) {
  if (Object.keys(rest).length) fail(`patch target keys ${Object.keys(rest)} are beyond this renderer`);
  if (kind && o.kind !== kind) return false;
  if (name && o.metadata.name !== name) return false;
  if (labelSelector) {
    for (const term of labelSelector.split(",")) {
      const [key, value] = term.split("=");
      if (o.metadata.labels?.[key.trim()] !== value?.trim()) return false;
    }
  }
  return true;
}

function merge(into, patch, path) {
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith("$")) fail(`patch directive ${key} is beyond this renderer`);
    const current = into[key];
    if (Array.isArray(value) && Array.isArray(current) && key in MERGE_KEYS) {
      const id = MERGE_KEYS[key] ?? (value[0]?.containerPort !== undefined ? "containerPort" : "port");
      for (const item of value) {
        const match = current.find((c) => c[id] === item[id]);
        if (match) merge(match, item, `${path}.${key}`); else current.push(structuredClone(item));
      }
    } else if (isMap(value) && isMap(current)) {
      merge(current, value, `${path}.${key}`);
    } else {
      into[key] = structuredClone(value);
    }
  }
}
const isMap = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

function retagImages(o, { name, newName, newTag, digest }) {
  const spec = o.kind === "CronJob" ? o.spec?.jobTemplate?.spec?.template?.spec : o.kind === "Pod" ? o.spec : o.spec?.template?.spec;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    const bare = c.image.replace(/@.*$/, "").replace(/:[^:/]+$/, "");
    if (bare !== name) continue;
    c.image = (newName ?? bare) + (digest ? `@${digest}` : newTag ? `:${newTag}` : c.image.slice(bare.length));
  }
}

// ---- check: schemas + the hub's rules ------------------------------------------------------------------------

async function model(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  const path = group ? `kubernetes-models/${group}/${version}/${kind}` : `kubernetes-models/${version}/${kind}`;
  try {
    return (await import(path))[kind];
  } catch {
    return undefined;
  }
}

function hubRules(o, objects) {
  const problems = [];
  const pod = o.kind === "Job" ? o.spec.template.spec : o.kind === "Deployment" ? o.spec.template.spec : null;
  if (!pod) return problems;
  const hubHost = o.metadata.labels?.["app.kubernetes.io/component"] === "hub-host" || o.kind === "Job";
  for (const c of pod.containers) {
    if (!c.resources?.requests || !c.resources?.limits) problems.push(`container ${c.name} needs resource requests and limits`);
    if (!hubHost) continue;
    const sc = c.securityContext ?? {};
    if (sc.allowPrivilegeEscalation !== false) problems.push(`container ${c.name}: allowPrivilegeEscalation must be false`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`container ${c.name}: readOnlyRootFilesystem must be true`);
    if (!sc.capabilities?.drop?.includes("ALL")) problems.push(`container ${c.name}: capabilities must drop ALL`);
    if (!c.volumeMounts?.some((m) => m.mountPath === "/tmp")) problems.push(`container ${c.name}: needs a writable /tmp`);
    if (o.kind === "Deployment") {
      if (c.livenessProbe?.httpGet?.path !== "/health/live") problems.push(`container ${c.name}: liveness probe must GET /health/live`);
      if (c.readinessProbe?.httpGet?.path !== "/health/ready") problems.push(`container ${c.name}: readiness probe must GET /health/ready`);
    }
  }
  if (hubHost) {
    if (pod.securityContext?.runAsNonRoot !== true) problems.push("pod must run as non-root");
    if (o.kind === "Deployment") {
      const shutdown = shutdownSeconds(objects);
      const grace = pod.terminationGracePeriodSeconds ?? 30;
      if (!(grace > shutdown)) problems.push(`terminationGracePeriodSeconds ${grace} must exceed Hosting__ShutdownTimeout (${shutdown} s)`);
    }
  }
  return problems;
}

function shutdownSeconds(objects) {
  const value = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "hub-config")?.data?.Hosting__ShutdownTimeout;
  if (!value) return 20; // the hosts' default
  const [h, m, s] = value.split(":").map(Number);
  return h * 3600 + m * 60 + s;
}

async function check(text, source) {
  const objects = readDocs(text, source);
  if (objects.length === 0) fail(`${source}: no objects`);
  let bad = 0;
  for (const o of objects) {
    const id = `${o.kind ?? "?"}/${o.metadata?.name ?? "?"}`;
    const problems = [];
    const Model = o.apiVersion && o.kind ? await model(o.apiVersion, o.kind) : undefined;
    if (!Model) {
      problems.push(`unknown apiVersion/kind ${o.apiVersion}/${o.kind}`);
    } else {
      try { new Model(o).validate(); } catch (e) { problems.push(e.message); }
      problems.push(...hubRules(o, objects));
    }
    if (problems.length) { bad++; console.error(`INVALID ${id}: ${problems.join("; ")}`); } else console.error(`ok      ${id}`);
  }
  console.error(`${objects.length - bad} valid, ${bad} invalid`);
  return bad === 0;
}

function same(a, b) {
  const key = (o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
  const canon = (v) => Array.isArray(v) ? v.map(canon) : isMap(v)
    ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])])) : v;
  const index = (docs) => new Map(docs.map((o) => [key(o), JSON.stringify(canon(o))]));
  const [x, y] = [index(a), index(b)];
  const differ = [...new Set([...x.keys(), ...y.keys()])].filter((k) => x.get(k) !== y.get(k));
  for (const k of differ) console.error(`differs: ${k}`);
  return differ.length === 0;
}

const [command, ...args] = process.argv.slice(2);
try {
  if (command === "render" && args.length === 1) {
    process.stdout.write(render(resolve(args[0])).map((o) => stringify(o)).join("---\n"));
  } else if (command === "check" && args.length === 1) {
    const text = readFileSync(args[0] === "-" ? 0 : args[0], "utf8");
    process.exit((await check(text, args[0])) ? 0 : 1);
  } else if (command === "same" && args.length === 2) {
    const [a, b] = args.map((f) => readDocs(readFileSync(f, "utf8"), f));
    process.exit(same(a, b) ? 0 : 1);
  } else {
    console.error("usage: validate.mjs render DIR | check FILE|- | same FILE FILE");
    process.exit(2);
  }
} catch (e) {
  console.error(`error: ${e.message}`);
  process.exit(2);
}
