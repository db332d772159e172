/** The regions the service runs in, each serving one city. */
export const REGION_NAMES = ['us-east', 'eu-north', 'ap-south'] as const;
export type RegionName = (typeof REGION_NAMES)[number];

export interface LatLon {
  lat: number;
  lon: number;
}

export const CITY_CENTRES: Record<RegionName, LatLon & { city: string }> = {
  'us-east': { city: 'New York', lat: 40.7128, lon: -74.006 },
  'eu-north': { city: 'Stockholm', lat: 59.3293, lon: 18.0686 },
  'ap-south': { city: 'Mumbai', lat: 19.076, lon: 72.8777 },
};
