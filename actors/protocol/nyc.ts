/**
 * New York City's five boroughs as simplified outlines (a dozen or so vertices each, hand-traced from public maps,
 * accurate to a few hundred metres; the Rockaways and small islands are left out). Enough to keep simulated
 * drones over land, to name the borough of a position for alarms and statistics, and to draw the operator
 * console's map without internet tiles. Not a survey: where a real position falls just outside every outline,
 * `boroughAt` says `undefined` and callers report it as unknown.
 */

import { type Borough, BOROUGHS } from './borough.ts';

// The boroughs are borough.ts's (the codec and the county codes); re-exported for the outlines' users.
export { type Borough, BOROUGHS };

/** A vertex: [lat, lon]. */
export type LatLon = readonly [number, number];

/** Outlines, each a closed ring (the last vertex joins the first). */
export const BOROUGH_OUTLINES: Readonly<Record<Borough, ReadonlyArray<LatLon>>> = {
  Manhattan: [
    [40.7003, -74.017],
    [40.709, -74.018],
    [40.728, -74.011],
    [40.748, -74.009],
    [40.768, -73.996],
    [40.788, -73.982],
    [40.812, -73.962],
    [40.835, -73.948],
    [40.855, -73.938],
    [40.871, -73.928],
    [40.878, -73.922],
    [40.874, -73.91],
    [40.86, -73.919],
    [40.84, -73.932],
    [40.818, -73.933],
    [40.802, -73.929],
    [40.796, -73.929],
    [40.783, -73.942],
    [40.77, -73.943],
    [40.758, -73.959],
    [40.745, -73.971],
    [40.728, -73.972],
    [40.711, -73.977],
    [40.708, -73.999],
    [40.702, -74.008],
  ],
  Bronx: [
    [40.805, -73.92],
    [40.818, -73.928],
    [40.84, -73.927],
    [40.86, -73.912],
    [40.878, -73.915],
    [40.9, -73.915],
    [40.913, -73.918],
    [40.917, -73.86],
    [40.899, -73.838],
    [40.886, -73.806],
    [40.878, -73.79],
    [40.852, -73.786],
    [40.835, -73.804],
    [40.815, -73.815],
    [40.805, -73.86],
    [40.805, -73.885],
    [40.796, -73.913],
  ],
  Queens: [
    [40.744, -73.956],
    [40.76, -73.943],
    [40.778, -73.924],
    [40.786, -73.91],
    [40.776, -73.89],
    [40.775, -73.85],
    [40.795, -73.83],
    [40.795, -73.79],
    [40.78, -73.755],
    [40.762, -73.701],
    [40.738, -73.7],
    [40.7, -73.728],
    [40.66, -73.726],
    [40.64, -73.745],
    [40.643, -73.83],
    [40.652, -73.86],
    [40.68, -73.87],
    [40.695, -73.896],
    [40.707, -73.904],
    [40.722, -73.923],
    [40.737, -73.938],
  ],
  Brooklyn: [
    [40.739, -73.956],
    [40.727, -73.929],
    [40.707, -73.904],
    [40.695, -73.896],
    [40.68, -73.87],
    [40.652, -73.86],
    [40.635, -73.885],
    [40.61, -73.895],
    [40.585, -73.915],
    [40.573, -73.98],
    [40.576, -74.01],
    [40.601, -74.035],
    [40.63, -74.04],
    [40.65, -74.02],
    [40.675, -74.018],
    [40.695, -73.999],
    [40.703, -73.98],
    [40.72, -73.962],
  ],
  'Staten Island': [
    [40.646, -74.072],
    [40.639, -74.13],
    [40.642, -74.18],
    [40.61, -74.2],
    [40.555, -74.218],
    [40.508, -74.252],
    [40.496, -74.245],
    [40.515, -74.19],
    [40.55, -74.12],
    [40.575, -74.08],
    [40.599, -74.062],
    [40.622, -74.07],
  ],
};

/** Ray casting: whether a position lies inside a ring. */
export const insideRing = (lat: number, lon: number, ring: ReadonlyArray<LatLon>): boolean => {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [yi, xi] = ring[i]!;
    const [yj, xj] = ring[j]!;
    if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
};

/**
 * The borough a position is in, or `undefined` outside every outline (water, New Jersey, Long Island).
 * @example boroughAt(40.7580, -73.9855) // 'Manhattan' (Times Square)
 */
export const boroughAt = (lat: number, lon: number): Borough | undefined =>
  BOROUGHS.find((b) => insideRing(lat, lon, BOROUGH_OUTLINES[b]));

/**
 * Whether a position is in Manhattan at or below 96th Street, where NYC's higher fines apply. 96th Street runs
 * from the Hudson (40.7940, -73.9730) to the East River (40.7820, -73.9440); "below" is the side of that line
 * towards the Battery.
 */
export const isManhattanBelow96th = (lat: number, lon: number): boolean => {
  if (boroughAt(lat, lon) !== 'Manhattan') return false;
  const [aLat, aLon, bLat, bLon] = [40.794, -73.973, 40.782, -73.944];
  // Sign of the cross product: the Battery (40.7003, -74.017) gives a negative value.
  const cross = (bLon - aLon) * (lat - aLat) - (bLat - aLat) * (lon - aLon);
  return cross <= 0;
};

/** Bounding box of a ring: [minLat, minLon, maxLat, maxLon]. */
export const boundsOf = (
  ring: ReadonlyArray<LatLon>,
): readonly [number, number, number, number] => {
  const lats = ring.map((p) => p[0]);
  const lons = ring.map((p) => p[1]);
  return [Math.min(...lats), Math.min(...lons), Math.max(...lats), Math.max(...lons)];
};
