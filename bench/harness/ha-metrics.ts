/** Reads the a4c_ha_activation_seconds histogram's sum and count from a Prometheus text page. */
export function activationHistogram(text: string): { sum: number; count: number } | undefined {
  const sum = /^a4c_ha_activation_seconds_sum(?:\{[^}]*\})? (\S+)$/m.exec(text);
  const count = /^a4c_ha_activation_seconds_count(?:\{[^}]*\})? (\S+)$/m.exec(text);
  return sum && count ? { sum: Number(sum[1]), count: Number(count[1]) } : undefined;
}
