/**
 * The doctor's sequence: configuration, Entra sign-in, permissions, Graph reads and the group,
 * this service's public address, Leena AI. Checks that need a token are skipped (with the
 * reason) when sign-in failed, so the first ✗ is the one to fix.
 */
import { type Check, type Section, skip } from './checklist.js';
import { leenaValueChecks, serviceConfigChecks, valueChecks } from './config-checks.js';
import type { DoctorTarget } from './doctor-target.js';
import { secretExpiryCheck, tokenCheck } from './entra-checks.js';
import { doctorGraph, groupChecks, usersReadableCheck } from './graph-checks.js';
import { leenaChecks } from './leena-checks.js';
import { permissionChecks, permissionsOf } from './permission-checks.js';
import { publicUrlChecks } from './public-url-checks.js';

export async function runDoctor(target: DoctorTarget, env: NodeJS.ProcessEnv): Promise<Section[]> {
  const leenaValues = leenaValueChecks(target);
  const values = valueChecks(target, leenaValues);
  const leenaValuesOk = leenaValues.length === 0;
  const [entra, service, leena] = await Promise.all([
    entraSections(target),
    publicUrlChecks(target.settings),
    leenaChecks(target, leenaValuesOk),
  ]);
  return [
    { title: 'Configuration', checks: [...serviceConfigChecks(env, target), ...values] },
    ...entra,
    { title: 'This service (PUBLIC_URL)', checks: service },
    { title: 'Leena AI', checks: leena },
  ];
}

async function entraSections(t: DoctorTarget): Promise<Section[]> {
  const token = await tokenCheck(t);
  const signIn: Section = {
    title: 'Entra ID sign-in',
    checks: [token.check, secretExpiryCheck(t, token.accessToken !== undefined)],
  };
  if (!token.accessToken) {
    const notChecked: Check = skip('not checked: no token');
    return [signIn, { title: 'Permissions', checks: [notChecked] }, { title: 'Graph', checks: [notChecked] }];
  }
  const permissions = permissionsOf(token.accessToken);
  const graph = doctorGraph(t, token.accessToken);
  const graphChecks = [
    await usersReadableCheck(graph, permissions),
    ...(await groupChecks(t, graph, permissions)),
  ];
  return [
    signIn,
    { title: 'Permissions', checks: permissionChecks(t, permissions) },
    { title: 'Graph', checks: graphChecks },
  ];
}
