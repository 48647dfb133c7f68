/**
 * The deployment files, read as an orchestrator reads them: docker-compose.yml (Postgres with a
 * healthcheck and a volume, the service waiting for it, probes, every variable a known one) and
 * deploy/kubernetes.yaml (2+ replicas, liveness on /healthz, readiness on /readyz, credentials
 * from a Secret, a PodDisruptionBudget). `docker compose config` also checks the compose file
 * when the compose plugin is installed (it is not on this machine kind: the test says so). npm
 * start, the image and the test helpers must run node with the same flags (the heap cap).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../src/config/config.js';
import { SERVICE_NODE_FLAGS } from '../helpers/service-process.js';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const compose = parse(readFileSync('docker-compose.yml', 'utf8')) as Doc;
const manifests = parseAllDocuments(readFileSync('deploy/kubernetes.yaml', 'utf8')).map(
  (d) => d.toJS() as Doc,
);
const CONTRACT_VARIABLES = [
  'DATABASE_URL',
  'PUBLIC_URL',
  'ADMIN_TOKEN',
  'SECRET_KEY',
  'ENTRA_TENANT_ID',
  'ENTRA_CLIENT_ID',
  'ENTRA_CLIENT_SECRET',
  'LEENA_URL',
  'LEENA_API_KEY',
  'LEENA_SIGNING_SECRET',
];

describe('deployment files', () => {
  it('docker-compose.yml: Postgres healthy and persistent before the service starts; probes; contract variables', () => {
    const { postgres, 'entra-sync': service } = compose.services;
    assert.ok(postgres.healthcheck.test.join(' ').includes('pg_isready'));
    assert.ok(postgres.volumes.some((v: string) => v.startsWith('pgdata:')));
    assert.ok('pgdata' in compose.volumes);
    assert.equal(service.depends_on.postgres.condition, 'service_healthy');
    assert.ok(service.healthcheck.test.join(' ').includes('/readyz'));
    assert.ok(service.deploy.replicas >= 2);
    for (const name of CONTRACT_VARIABLES)
      assert.ok(name in service.environment, `${name} is passed to the service`);
    assert.match(
      service.environment.DATABASE_URL,
      /@postgres:5432\//,
      'the service reaches the compose Postgres by name',
    );
  });

  it('docker-compose.yml: the values it passes are accepted by the service configuration', () => {
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(
      compose.services['entra-sync'].environment as Record<string, string>,
    )) {
      // ${X:-default} -> default; ${X:?message} -> a valid stand-in for the required value.
      env[name] = String(value)
        .replace(/\$\{(\w+):-([^}]*)\}/g, '$2')
        .replace(/\$\{(\w+):\?[^}]*\}/g, (_, v: string) => STAND_INS[v] ?? 'x');
    }
    for (const [name, value] of Object.entries(env)) if (value === '') delete env[name];
    assert.doesNotThrow(() => loadConfig(env));
  });

  it('deploy/kubernetes.yaml: 2+ replicas, probes, a Secret for credentials, a PodDisruptionBudget', () => {
    const kind = (k: string) => manifests.filter((m) => m.kind === k);
    const [deployment] = kind('Deployment');
    assert.ok(deployment, 'a Deployment');
    assert.ok(deployment.spec.replicas >= 2);
    const container = deployment.spec.template.spec.containers[0];
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
    assert.equal(container.readinessProbe.httpGet.path, '/readyz');
    const secretName = container.envFrom.find((e: Doc) => e.secretRef)?.secretRef.name;
    assert.ok(
      kind('Secret').some((s) => s.metadata.name === secretName),
      'credentials come from the Secret',
    );
    const [pdb] = kind('PodDisruptionBudget');
    assert.ok(pdb, 'a PodDisruptionBudget');
    assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
  });

  it('npm start, the image and the tests run the service with the same node flags; the pod has room above the heap cap', () => {
    const start = (JSON.parse(readFileSync('package.json', 'utf8')) as Doc).scripts.start as string;
    assert.equal(start, `node ${SERVICE_NODE_FLAGS.join(' ')} dist/src/main.js`);
    const cmd = /^CMD (.+)$/m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
    assert.deepEqual(JSON.parse(cmd ?? '[]'), ['node', ...SERVICE_NODE_FLAGS, 'dist/src/main.js']);
    const heapCapMb = Number(/--max-old-space-size=(\d+)/.exec(SERVICE_NODE_FLAGS.join(' '))?.[1]);
    const [deployment] = manifests.filter((m) => m.kind === 'Deployment');
    const limit = String(deployment!.spec.template.spec.containers[0].resources.limits.memory);
    const limitMb = Number(/^(\d+)Mi$/.exec(limit)?.[1]) * 1.048576;
    // Code, buffers and young generation live outside the old-space cap: at least 100 MB more.
    assert.ok(limitMb >= heapCapMb + 100, `memory limit ${limit} leaves too little room above a ${heapCapMb} MB heap`);
  });

  it('docker compose config accepts the file (when the compose plugin is installed)', (t) => {
    const version = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (version.status !== 0) {
      t.skip('docker compose is not installed on this machine');
      return;
    }
    const run = spawnSync('docker', ['compose', '-f', 'docker-compose.yml', 'config', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, ...STAND_INS },
    });
    assert.equal(run.status, 0, run.stderr);
  });
});

const STAND_INS: Record<string, string> = {
  PUBLIC_URL: 'https://entra-sync.example.com',
  ADMIN_TOKEN: 'compose-admin-token-0123456789',
  SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
};
