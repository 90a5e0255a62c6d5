import assert from 'node:assert/strict';

import { violationImageKey } from '../protocol/violation-image.ts';
import { violationImageSvg } from './violation-image.ts';

describe('violationImageSvg', () => {
  it('draws the same small picture for the same id, and different ones for different ids', () => {
    const a = violationImageSvg('img-drone-0001-17');
    assert.equal(a, violationImageSvg('img-drone-0001-17'));
    assert.notEqual(a, violationImageSvg('img-drone-0002-17'));
    assert.match(a, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.ok(Buffer.byteLength(a) < 1_024, `${Buffer.byteLength(a)} bytes`);
  });

  it('escapes the id it prints, and shortens a long one', () => {
    const svg = violationImageSvg('<script>alert("x")</script>&');
    assert.ok(!svg.includes('<script>'));
    assert.ok(svg.includes('&lt;script&gt;alert(&quot;x&quot;)'));
    assert.ok(!violationImageSvg('x'.repeat(500)).includes('x'.repeat(40)));
  });

  it('keys any id as one segment under violation-images/', () => {
    assert.equal(violationImageKey('img-1'), 'violation-images/img-1.svg');
    assert.equal(violationImageKey('../a b/c'), 'violation-images/..%2Fa%20b%2Fc.svg');
  });
});
