import { describe, expect, it } from 'vitest';
import { RAGLOOM_POINT_ID_NAMESPACE, toPointId, uuidV5 } from '../src/index.js';

// Unit tests of the id mapping. Reference values come from CPython's uuid.uuid5 (a trusted peer):
//   python3 -c "import uuid; print(uuid.uuid5(uuid.NAMESPACE_DNS, 'python.org'))"
//   python3 -c "import uuid; ns = uuid.UUID('5b1c2f4e-8a0d-4f39-9c6e-2d7a41e0b6c3'); print(uuid.uuid5(ns, 'doc-00'))"
describe('UUIDv5 point ids (unit)', () => {
  it('matches CPython uuid.uuid5 for the RFC DNS namespace', () => {
    expect(uuidV5('python.org', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '886313e1-3b8a-5372-9b90-0c9aee199e5d',
    );
  });

  it('maps ragloom ids (ASCII, CJK, emoji, empty) to the same UUIDs as CPython in ragloom’s namespace', () => {
    expect(RAGLOOM_POINT_ID_NAMESPACE).toBe('5b1c2f4e-8a0d-4f39-9c6e-2d7a41e0b6c3');
    const expected: Record<string, string> = {
      'doc-00': 'da828deb-c474-50cb-98b5-021e967323f4',
      a: '9472ad1e-03e5-508e-acf2-a956b2b5c037',
      '北京#0': 'db2f4cb3-276c-54a6-9bae-9b44afaa12a2',
      '😀 emoji id': '38fbe307-238d-5287-800d-dcc058bc7956',
      '': 'a2d229ec-0dcd-5c93-8190-ccba99b5d7e6',
    };
    for (const [id, uuid] of Object.entries(expected)) expect(toPointId(id), id).toBe(uuid);
  });

  it('is stable, version 5 / RFC variant, and distinct for distinct ids (including case and UUID-looking ids)', () => {
    const ids = [
      'A',
      'a',
      'doc-1',
      'doc-01',
      '5B1C2F4E-8A0D-4F39-9C6E-2D7A41E0B6C3',
      '5b1c2f4e-8a0d-4f39-9c6e-2d7a41e0b6c3',
    ];
    for (let i = 0; i < 2000; i++) ids.push(`chunk-${i}#${i % 7}`);
    const uuids = ids.map(toPointId);
    expect(new Set(uuids).size).toBe(ids.length);
    expect(ids.map(toPointId)).toEqual(uuids);
    for (const u of uuids)
      expect(u).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('rejects a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
