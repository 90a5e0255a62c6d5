import assert from 'node:assert/strict';

import fc from 'fast-check';

import { sameBytes } from '../../runtime/bus/encoded.ts';
import { EXAMPLE_NYPD_TICKET } from '../../test/helpers/messages.ts';
import { arbNypdTicket } from './nypd-ticket.arb.ts';
import { NypdTicket, nypdTicketEncoding, nypdTicketId } from './nypd-ticket.ts';
import { assertIssue, assertRoundTrip, decoded, issuesOf } from './spec-helpers.ts';

const valid = EXAMPLE_NYPD_TICKET;

describe('Protocol > NypdTicket', () => {
  it('every NypdTicket survives encode → JSON → decode', () =>
    fc.assert(
      fc.property(arbNypdTicket, (tk) => {
        assertRoundTrip(NypdTicket, tk);
      }),
    ));

  it('encodes tickets without io-ts to the bytes and keys publish would give them', () =>
    fc.assert(
      fc.property(fc.array(arbNypdTicket, { maxLength: 20 }), (tks) => {
        assert.ok(sameBytes(nypdTicketEncoding, tks));
      }),
      { numRuns: 300 },
    ));

  it('decodes empty, blank and null cells as absent keys, and strips unknown keys', () => {
    const tk = decoded(NypdTicket, {
      ...valid,
      violationCounty: '',
      vehicleMake: '   ',
      houseNumber: null,
      'Days Parking In Effect': 'BBBBBBB',
    });
    assert.deepStrictEqual(tk, valid);
  });

  it('requires the id derived from the summons number', () => {
    assert.equal(nypdTicketId('1283294138'), 'nypd:1283294138');
    assertIssue(
      issuesOf(NypdTicket, { ...valid, id: 'nypd:1' }),
      'at .id: must be "nypd:1283294138"',
    );
  });

  it('rejects bad required fields with readable issues', () => {
    assertIssue(
      issuesOf(NypdTicket, { ...valid, summonsNumber: '12a' }),
      'at .summonsNumber',
      'expected SummonsNumber',
    );
    assertIssue(
      issuesOf(NypdTicket, { ...valid, summonsNumber: '' }),
      'at .summonsNumber',
      'got undefined',
    );
    assertIssue(
      issuesOf(NypdTicket, { ...valid, issueDate: '08/04/2013' }),
      'at .issueDate',
      'expected IsoDate',
    );
    assertIssue(
      issuesOf(NypdTicket, { ...valid, issuedAt: '2013-08-04T07:52:00' }),
      'at .issuedAt',
      'expected OffsetDateTime',
    );
    assertIssue(issuesOf(NypdTicket, { ...valid, violationCode: 0 }), 'at .violationCode');
    assertIssue(
      issuesOf(NypdTicket, { ...valid, vehicleYear: 0 }),
      'at .vehicleYear',
      'expected VehicleYear',
    );
    assertIssue(issuesOf(NypdTicket, { ...valid, borough: 'Manhattan Island' }), 'at .borough');
    assertIssue(issuesOf(NypdTicket, 'a,b,c'), 'expected NypdTicket');
  });

  it('accepts UTC and offset issue times', () => {
    decoded(NypdTicket, { ...valid, issuedAt: '2013-08-04T11:52:00Z' });
    decoded(NypdTicket, { ...valid, issuedAt: '2013-12-04T07:52:00.000-05:00' });
  });
});
