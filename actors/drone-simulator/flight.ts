/**
 * One drone's flight: it patrols its home borough, flying straight between waypoints drawn inside the borough's
 * outline at a constant speed. Pure and seeded: the same drone number and seed give the same route.
 */
import { between, hash32, type Random, seededRandom } from '../../runtime/random.ts';
import { type Borough, BOROUGH_OUTLINES, BOROUGHS, boundsOf, insideRing } from '../protocol/nyc.ts';

/** Where a drone is and where it heads. Mutable on purpose: thousands of drones step every second. */
export interface Flight {
  readonly borough: Borough;
  lat: number;
  lon: number;
  targetLat: number;
  targetLon: number;
  readonly random: Random;
}

const METRES_PER_DEGREE_LAT = 111_320;
const metresPerDegreeLon = (lat: number) => METRES_PER_DEGREE_LAT * Math.cos((lat * Math.PI) / 180);

/** Rough share of the city's land area per borough, so drones spread as streets do. */
const BOROUGH_WEIGHT: Readonly<Record<Borough, number>> = {
  Manhattan: 0.15,
  Brooklyn: 0.25,
  Queens: 0.3,
  Bronx: 0.15,
  'Staten Island': 0.15,
};

const pickBorough = (r: Random): Borough => {
  let x = r.next();
  for (const b of BOROUGHS) if ((x -= BOROUGH_WEIGHT[b]) < 0) return b;
  return 'Queens';
};

/** A point inside a borough's outline, by rejection sampling in its bounding box. */
export const pointIn = (borough: Borough, r: Random): readonly [number, number] => {
  const ring = BOROUGH_OUTLINES[borough];
  const [minLat, minLon, maxLat, maxLon] = boundsOf(ring);
  for (;;) {
    const lat = between(r, minLat, maxLat);
    const lon = between(r, minLon, maxLon);
    if (insideRing(lat, lon, ring)) return [lat, lon];
  }
};

/** Whether the straight leg stays over the borough (checked at a few points: outlines are not convex). */
const legStaysInside = (f: Flight, lat: number, lon: number): boolean => {
  const ring = BOROUGH_OUTLINES[f.borough];
  for (let k = 1; k < 8; k++) {
    const t = k / 8;
    if (!insideRing(f.lat + (lat - f.lat) * t, f.lon + (lon - f.lon) * t, ring)) return false;
  }
  return true;
};

const chooseTarget = (f: Flight): void => {
  for (let tries = 0; tries < 20; tries++) {
    const [lat, lon] = pointIn(f.borough, f.random);
    if (legStaysInside(f, lat, lon) || tries === 19) {
      f.targetLat = lat;
      f.targetLon = lon;
      return;
    }
  }
};

/**
 * Starts drone number `n` of a fleet seeded with `seed`.
 * @example const f = startFlight(7, 42); advance(f, 8 * 1_000); // eight metres a second, for one second
 */
export const startFlight = (n: number, seed: number): Flight => {
  const random = seededRandom(hash32(`${seed}/${n}`));
  const borough = pickBorough(random);
  const [lat, lon] = pointIn(borough, random);
  const f: Flight = { borough, lat, lon, targetLat: lat, targetLon: lon, random };
  chooseTarget(f);
  return f;
};

/** Moves the drone `metres` towards its waypoint, picking the next waypoint when it arrives. */
export const advance = (f: Flight, metres: number): void => {
  let left = metres;
  for (let legs = 0; left > 0 && legs < 4; legs++) {
    const dy = (f.targetLat - f.lat) * METRES_PER_DEGREE_LAT;
    const dx = (f.targetLon - f.lon) * metresPerDegreeLon(f.lat);
    const dist = Math.hypot(dx, dy);
    if (dist <= left) {
      f.lat = f.targetLat;
      f.lon = f.targetLon;
      left -= dist;
      chooseTarget(f);
    } else {
      f.lat += (f.targetLat - f.lat) * (left / dist);
      f.lon += (f.targetLon - f.lon) * (left / dist);
      left = 0;
    }
  }
};
