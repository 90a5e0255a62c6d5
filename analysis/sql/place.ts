/**
 * The protocol's placement of a position (borough, Manhattan at or below 96th Street: actors/protocol/nyc.ts) as
 * SQL, for an engine that reads positions from the archive itself (Athena's `drone_messages` view). The same ray
 * casting as `insideRing`, edge by edge with the same operations in the same order on the same doubles, so a
 * position lands in the same borough as the loader puts it on DuckDB (a property test runs both).
 */
import { BOROUGH_OUTLINES, BOROUGHS, type LatLon } from '../../actors/protocol/index.ts';

/** A double literal both engines read as DOUBLE (Trino reads `40.7` as DECIMAL). */
const double = (n: number): string => n.toExponential().toUpperCase();

/** Whether (lat, lon) is inside a ring: an odd number of edges crossed, as `insideRing` counts them. */
const insideRingSql = (lat: string, lon: string, ring: ReadonlyArray<LatLon>): string => {
  // An edge with both ends at one latitude is never crossed (the JS test short-circuits before dividing by 0).
  const edges = ring.flatMap((p, i) => {
    const [yi, xi] = p;
    const [yj, xj] = ring[(i + ring.length - 1) % ring.length]!;
    if (yi === yj) return [];
    return `CASE WHEN (${double(yi)} > ${lat}) <> (${double(yj)} > ${lat}) AND ${lon} < (${double(xj - xi)} * (${lat} - ${double(yi)})) / ${double(yj - yi)} + ${double(xi)} THEN 1 ELSE 0 END`;
  });
  return `mod(${edges.join(' + ')}, 2) = 1`;
};

/**
 * The borough of a position as text, NULL outside every outline (`boroughAt`).
 *
 * @example
 * boroughSql('location.lat', 'location.lon'); // CASE WHEN mod(…, 2) = 1 THEN 'Manhattan' … END
 */
export const boroughSql = (lat: string, lon: string): string =>
  `CASE ${BOROUGHS.map((b) => `WHEN ${insideRingSql(lat, lon, BOROUGH_OUTLINES[b])} THEN '${b}'`).join(' ')} END`;

/**
 * Whether a position in `borough` (the text {@link boroughSql} gives) is in Manhattan at or below 96th Street
 * (`isManhattanBelow96th`: the side of 96th Street towards the Battery).
 *
 * @example
 * manhattanBelow96thSql('borough', 'lat', 'lon');
 */
export const manhattanBelow96thSql = (borough: string, lat: string, lon: string): string => {
  const [aLat, aLon, bLat, bLon] = [40.794, -73.973, 40.782, -73.944];
  return `coalesce(${borough} = 'Manhattan' AND ${double(bLon - aLon)} * (${lat} - ${double(aLat)}) - ${double(bLat - aLat)} * (${lon} - ${double(aLon)}) <= 0, FALSE)`;
};
