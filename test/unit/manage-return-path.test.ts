import { describe, expect, test } from '@jest/globals';
import { manageReturnPath } from '../../src/manage/step-up.js';

describe('the page the /manage step-up returns to', () => {
  test.each([
    ['/manage', '/manage'],
    ['/manage?q=kim&page=2', '/manage?q=kim&page=2'],
    ['/manage/members/new?organisation=1', '/manage/members/new?organisation=1'],
    ['/manage/members/0b7c6c1e-5d7e-4a43-9f31-2a7f6c1d9e10', '/manage/members/0b7c6c1e-5d7e-4a43-9f31-2a7f6c1d9e10'],
  ])('%s stays %s', (value, expected) => {
    expect(manageReturnPath(value)).toBe(expected);
  });

  test.each([
    'https://evil.example/manage',
    '//evil.example/manage',
    '/\\evil.example',
    '/manage\\@evil.example',
    '/manage/../account',
    '/manage/%2e%2e/account',
    '/manage//evil.example',
    '/managex',
    '/manage/callback',
    '/manage/callback?state=x',
    '/manage\n/x',
    `/manage?q=${'x'.repeat(2000)}`,
    '',
    undefined,
    42,
  ])('%p is refused', (value) => {
    expect(manageReturnPath(value)).toBeUndefined();
  });
});
