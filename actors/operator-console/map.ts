/**
 * The map's projection, shared by the server (which draws the borough outlines, `page.ts`) and the browser script
 * (which places the alarms, `browser/main.ts`): one equirectangular projection at New York City's latitude, in SVG
 * units rounded to a tenth. Pure, no Node.js or DOM: both programs compile it.
 */

/** The map's frame: New York City's five outlines with a small margin. */
export const FRAME = { minLat: 40.485, maxLat: 40.925, minLon: -74.265, maxLon: -73.69 } as const;
/** Metres per degree of longitude shrink with latitude: an equirectangular projection at NYC's latitude. */
const COS_LAT = Math.cos((40.7 * Math.PI) / 180);
/** SVG units per degree of latitude. */
const SCALE = 2000;

/**
 * A point's SVG coordinates `[x, y]` on the map (x grows east, y south).
 * @example project(FRAME.maxLat, FRAME.minLon) // [0, 0]
 */
export const project = (lat: number, lon: number): readonly [number, number] => [
  Math.round((lon - FRAME.minLon) * COS_LAT * SCALE * 10) / 10,
  Math.round((FRAME.maxLat - lat) * SCALE * 10) / 10,
];
