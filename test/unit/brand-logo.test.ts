import { describe, expect, test } from '@jest/globals';
import { logoProblem, storedLogo } from '../../src/domain/brand-logo.js';
import { solidPng, wordmarkSvg } from '../helpers/brand-files.js';

const svg = (body: string, attributes = '') => Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"${attributes}>${body}</svg>`);

describe('logos taken', () => {
  test.each([
    ['a PNG', solidPng(2, 2, [1, 2, 3])],
    ['a plain SVG with a gradient by #id', wordmarkSvg('ERGO', '#8e0038')],
    ['an SVG as Illustrator writes it (DOCTYPE without entities)', Buffer.from('<?xml version="1.0" encoding="utf-8"?>\n<!-- Generator: Adobe Illustrator -->\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<svg version="1.1" xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>')],
    ['an SVG reusing its own symbol', svg('<symbol id="s"><rect width="2" height="2"/></symbol><use xlink:href="#s"/><use href="#s"/>')],
  ])('%s', (_what, bytes) => {
    expect(logoProblem(bytes)).toBeUndefined();
    expect(storedLogo(bytes).hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('logos refused', () => {
  test.each([
    ['nothing', Buffer.alloc(0)],
    ['a GIF', Buffer.from('GIF89a\u0001\u0000\u0001\u0000')],
    ['HTML', Buffer.from('<html><script>alert(1)</script></html>')],
    ['a PNG signature without a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0])],
    ['SCRIPT in capitals', svg('<SCRIPT>alert(1)</SCRIPT>')],
    ['a namespaced script', svg('<svg:script>alert(1)</svg:script>')],
    ['an event handler', svg('<rect width="2" height="2" onclick="alert(1)"/>')],
    ['an event handler after a newline', svg('<rect\nonmouseover="alert(1)"/>')],
    ['a link', svg('<a href="https://evil.example"><rect width="2" height="2"/></a>')],
    ['a javascript: link by xlink', svg('<use xlink:href="javascript:alert(1)"/>')],
    ['an animation that rewrites an href', svg('<set attributeName="href" to="javascript:alert(1)"/>')],
    ['a symbol from another file', svg('<use href="other.svg#s"/>')],
    ['an external image', svg('<image href="https://evil.example/x.png"/>')],
    ['an embedded HTML document', svg('<foreignObject><div>hi</div></foreignObject>')],
    ['a stylesheet import', svg('<style>@import "https://evil.example/x.css";</style>')],
    ['an external url() in style', svg('<style>rect { fill: url(https://evil.example/x) }</style>')],
    ['an xml-stylesheet', Buffer.from('<?xml-stylesheet href="https://evil.example/x.css"?><svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['entities', Buffer.from('<!DOCTYPE svg [<!ENTITY e "x">]><svg xmlns="http://www.w3.org/2000/svg">&e;</svg>')],
    ['xml:base', svg('<g xml:base="https://evil.example/"><use href="#a"/></g>')],
    ['invalid UTF-8', Buffer.concat([Buffer.from('<svg>'), Buffer.from([0xff, 0xfe]), Buffer.from('</svg>')])],
    ['over 256 KiB', Buffer.concat([svg(''), Buffer.alloc(256 * 1024, 0x20)])],
  ])('%s', (_what, bytes) => {
    expect(logoProblem(bytes)).toEqual(expect.any(String));
  });
});
