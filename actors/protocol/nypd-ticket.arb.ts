/**
 * fast-check arbitrary for NYPD tickets: required fields always, each optional field sometimes, values shaped like
 * the real files (10-digit summons numbers, New York offsets, both county code sets).
 */
import fc from 'fast-check';

import { BOROUGHS } from './borough.ts';
import { arbEpochMs, arbNonBlank, arbViolationCode } from './common.arb.ts';
import { type NypdTicket, nypdTicketId } from './nypd-ticket.ts';

const arbIssued = fc
  .tuple(arbEpochMs, fc.constantFrom(-240, -300), fc.boolean())
  .map(([ms, offset, utc]) => {
    const local = new Date(ms + offset * 60_000).toISOString();
    const issueDate = local.slice(0, 10);
    const issuedAt = utc
      ? `${new Date(ms).toISOString().slice(0, 19)}Z`
      : `${local.slice(0, 19)}-0${-offset / 60}:00`;
    return { issueDate, issuedAt };
  });

const optional = {
  violationCode: arbViolationCode,
  violationDescription: arbNonBlank,
  plateId: fc.stringMatching(/^[A-Z0-9]{1,8}$/),
  registrationState: fc.constantFrom('NY', 'NJ', 'PA', 'CT', '99'),
  plateType: fc.constantFrom('PAS', 'COM', 'OMT', 'SRF', '999'),
  vehicleMake: fc.constantFrom('FORD', 'TOYOT', 'HONDA', 'NISSA', 'AUDI'),
  vehicleBodyType: fc.constantFrom('SUBN', '4DSD', 'VAN', 'DELV'),
  vehicleColor: fc.constantFrom('GY', 'WH', 'BK', 'BLACK', 'RED'),
  vehicleYear: fc.integer({ min: 1970, max: 2069 }),
  violationCounty: fc.constantFrom('NY', 'K', 'Q', 'BX', 'R', 'MN', 'BK', 'QN', 'ST'),
  borough: fc.constantFrom(...BOROUGHS),
  violationPrecinct: fc.nat({ max: 123 }),
  issuerPrecinct: fc.nat({ max: 999 }),
  streetName: arbNonBlank,
  houseNumber: fc.oneof(fc.stringMatching(/^[0-9]{1,5}(-[0-9]{1,3})?$/), fc.constant('Jul-40')),
  intersectingStreet: arbNonBlank,
  issuingAgency: fc.constantFrom('P', 'T', 'S', 'X', 'V'),
  lawSection: fc.constantFrom(408, 1111, 1180),
  subDivision: fc.constantFrom('D1', 'F1', 'C', 'h1', 'E2'),
  violationTime: fc.constantFrom('0752A', '1240P', '0001A', '1215A', '0930'),
  sourceFile: fc.constantFrom('fy2014-sample.csv', 'fy2017-sample.csv'),
  sourceLine: fc.integer({ min: 2, max: 10_000_000 }),
};

/** NYPD tickets, v1. */
export const arbNypdTicket: fc.Arbitrary<NypdTicket> = fc
  .tuple(
    fc.stringMatching(/^\d{10}$/),
    arbIssued,
    fc.record(optional, { noNullPrototype: true, requiredKeys: [] }),
  )
  .map(([summonsNumber, issued, rest]): NypdTicket => ({
    type: 'nypd.ticket',
    v: 1,
    id: nypdTicketId(summonsNumber),
    summonsNumber,
    ...issued,
    ...rest,
  }));
