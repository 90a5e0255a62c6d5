/**
 * One NYPD parking ticket (a row of a "Parking Violations Issued" file), typed. This is the contract of the
 * `history` stream; reading the CSV and normalising its cells into this shape is csv-to-stream's job.
 */
import { type Encoding, fastEncoding } from '../../runtime/bus/encoded.ts';
import { t } from '../../runtime/codec.ts';
import { Borough } from './borough.ts';
import { crossCheck, refine, struct, withoutBlanks } from './codec-kit.ts';
import {
  MessageId,
  NonBlankString,
  NonNegativeInt,
  PositiveInt,
  ViolationCode,
} from './primitives.ts';
import { IsoDate, OffsetDateTime } from './time.ts';

// ---------------------------------------------------------------------------------------------------------------
// model

/** A summons number: 1–20 digits (10 in the files seen so far), kept as text so no leading zero is lost. */
export const SummonsNumber = refine(t.string, (s) => /^\d{1,20}$/.test(s), 'SummonsNumber');

/** A model year as written on the ticket: four digits. `0` ("unknown") in the source is an absent key here. */
export const VehicleYear = refine(
  t.number,
  (n) => Number.isInteger(n) && n >= 1000 && n <= 9999,
  'VehicleYear',
);

const NypdTicketFields = struct(
  'NypdTicket',
  {
    type: t.literal('nypd.ticket'),
    v: t.literal(1),
    id: MessageId,
    summonsNumber: SummonsNumber,
    issuedAt: OffsetDateTime,
    issueDate: IsoDate,
  },
  {
    violationCode: ViolationCode,
    violationDescription: NonBlankString,
    plateId: NonBlankString,
    registrationState: NonBlankString,
    plateType: NonBlankString,
    vehicleMake: NonBlankString,
    vehicleBodyType: NonBlankString,
    vehicleColor: NonBlankString,
    vehicleYear: VehicleYear,
    violationCounty: NonBlankString,
    borough: Borough,
    violationPrecinct: NonNegativeInt,
    issuerPrecinct: NonNegativeInt,
    streetName: NonBlankString,
    houseNumber: NonBlankString,
    intersectingStreet: NonBlankString,
    issuingAgency: NonBlankString,
    lawSection: NonNegativeInt,
    subDivision: NonBlankString,
    violationTime: NonBlankString,
    sourceFile: NonBlankString,
    sourceLine: PositiveInt,
  },
);

/**
 * An NYPD ticket, v1. Required: `id` (= `nypd:<summonsNumber>`, checked, so a re-import creates no duplicates),
 * `summonsNumber`, `issuedAt` (Issue Date + Violation Time as New York wall-clock time with its offset, or UTC) and
 * `issueDate` (the Issue Date as written, rendered `YYYY-MM-DD`). Everything else is optional and, when present,
 * meaningful: `null`, `""` and blank values decode as absent keys, and unknown keys are stripped.
 *
 * Raw-as-written fields, kept for audit: `violationCounty` (see `boroughOf` for `borough`), `violationTime`
 * (`0752A`). `sourceFile` + `sourceLine` say where the row came from.
 *
 * @example
 * NypdTicket.decode({
 *   type: 'nypd.ticket', v: 1, id: 'nypd:1283294138', summonsNumber: '1283294138',
 *   issuedAt: '2013-08-04T07:52:00-04:00', issueDate: '2013-08-04', violationCode: 46,
 *   violationCounty: '', plateId: 'GBB9093', registrationState: 'NY',
 * }); // right({ ..., no violationCounty key })
 */
export const NypdTicket = crossCheck(
  withoutBlanks(NypdTicketFields),
  (tk) =>
    tk.id === nypdTicketId(tk.summonsNumber)
      ? undefined
      : {
          at: 'id',
          why: `must be "${nypdTicketId(tk.summonsNumber)}" (derived from summonsNumber)`,
        },
  'NypdTicket',
);
export type NypdTicket = t.TypeOf<typeof NypdTicket>;

/** The JSON shape of an {@link NypdTicket}. */
export type NypdTicketJson = t.OutputOf<typeof NypdTicket>;

// ---------------------------------------------------------------------------------------------------------------
// constructors

/**
 * A ticket's message id: `nypd:<summonsNumber>`. Deterministic, so importing a file twice upserts the same rows.
 *
 * @example
 * nypdTicketId('1283294138'); // 'nypd:1283294138'
 */
export const nypdTicketId = (summonsNumber: string): MessageId =>
  `nypd:${summonsNumber}` as MessageId;

/** The `history` stream's partition key: one summons number's tickets stay in order. */
export const nypdTicketKey = (tk: NypdTicket): string => tk.summonsNumber;

/**
 * A ticket's bus bytes without io-ts's key-by-key encode (several times dearer than `JSON.stringify`, and per row on
 * csv-to-stream's hot path): every field of a ticket is its own JSON (strings and numbers, no transform), so
 * `JSON.stringify` of a ticket is the codec's encoding. nypd-ticket.spec proves it for arbitrary tickets, and
 * csv-to-stream's normalise.spec for the tickets its rows make.
 * @example const b = encodedBatch(nypdTicketEncoding); b.add(ticket); await bus.publishEncoded(history, encodedRecords(b.done()));
 */
export const nypdTicketEncoding: Encoding<NypdTicket> = fastEncoding(
  NypdTicket,
  nypdTicketKey,
  (tk) => JSON.stringify(tk),
);
