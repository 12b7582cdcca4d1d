import { describe, expect, test } from '@jest/globals';
import { readAssuranceRequest } from '../../src/domain/assurance-request.js';
import { acrFromAmr, amrClaim } from '../../src/domain/assurance.js';

const LOA0 = 'urn:pforte:loa:0';
const LOA1 = 'urn:pforte:loa:1';
const LOA2 = 'urn:pforte:loa:2';
const policy = { allowed_acr_values: [LOA1, LOA2], default_acr_values: [LOA1], min_acr: LOA1 };

describe('acr from completed methods', () => {
  test.each([
    [[], LOA0, []],
    [['pwd'], LOA1, ['pwd']],
    [['otp'], LOA1, ['otp']],
    [['device'], LOA1, ['device']],
    [['pwd', 'otp'], LOA2, ['pwd', 'otp', 'mfa']],
    [['device', 'pwd'], LOA2, ['pwd', 'device', 'mfa']],
    [['otp', 'device'], LOA1, ['otp', 'device']],
  ])('%j → %s %j', (methods, acr, amr) => {
    expect(acrFromAmr(methods)).toBe(acr);
    expect(amrClaim(methods)).toEqual(amr);
  });
});

describe('reading what a request asks for', () => {
  test('no request: the client default, bounded below by the minimum', () => {
    expect(readAssuranceRequest(policy, undefined, undefined)).toEqual({ minimum: LOA1, wanted: LOA1, isEssential: false, isUnreachable: false, isMalformed: false });
    expect(readAssuranceRequest({ ...policy, min_acr: LOA2, default_acr_values: [LOA2] }, undefined, undefined).minimum).toBe(LOA2);
  });

  test('acr_values is voluntary: unknown and disallowed values are ignored, the lowest usable counts', () => {
    expect(readAssuranceRequest(policy, '1 2', undefined).wanted).toBe(LOA1);
    expect(readAssuranceRequest(policy, `${LOA0} ${LOA2}`, undefined).wanted).toBe(LOA2);
    expect(readAssuranceRequest({ ...policy, allowed_acr_values: [LOA1] }, LOA2, undefined).wanted).toBe(LOA1);
    expect(readAssuranceRequest(policy, `${LOA2} ${LOA1}`, undefined).wanted).toBe(LOA1);
    expect(readAssuranceRequest(policy, LOA2, undefined).minimum).toBe(LOA1);
  });

  test('an essential acr claim is binding; one naming nothing reachable is unreachable', () => {
    const essential = (acr: object) => JSON.stringify({ id_token: { acr: { essential: true, ...acr } } });
    expect(readAssuranceRequest(policy, undefined, essential({ value: LOA2 }))).toMatchObject({ minimum: LOA2, wanted: LOA2, isEssential: true, isUnreachable: false });
    expect(readAssuranceRequest(policy, undefined, essential({ values: ['urn:other', LOA2] })).minimum).toBe(LOA2);
    expect(readAssuranceRequest(policy, undefined, essential({ values: ['urn:other'] })).isUnreachable).toBe(true);
    expect(readAssuranceRequest(policy, undefined, essential({ values: 'not-an-array' }))).toMatchObject({ isUnreachable: true, isMalformed: true });
    expect(readAssuranceRequest(policy, undefined, JSON.stringify({ id_token: { acr: { values: [LOA2] } } })).isEssential).toBe(false);
    expect(readAssuranceRequest(policy, undefined, 'not json').isEssential).toBe(false);
  });
});
