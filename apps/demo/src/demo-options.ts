/** `npm run demo` options; defaults give a lively 3-instance cluster on the real Elasticsearch node. */
export interface DemoOptions {
  instances: number;
  healthCheckPeriodInSecond: number;
  /** Use the embedded store on the shared directory instead of starting Elasticsearch (faster start). */
  embeddedStore: boolean;
}

export const USAGE = 'usage: npm run demo -- [--instances 3] [--period 1] [--embedded-store]';

export function parseDemoArgs(argv: readonly string[]): DemoOptions {
  const options: DemoOptions = { instances: 3, healthCheckPeriodInSecond: 1, embeddedStore: false };
  const problems: string[] = [];
  for (let n = 0; n < argv.length; n++) {
    const arg = argv[n]!;
    if (arg === '--embedded-store') {
      options.embeddedStore = true;
      continue;
    }
    const value = Number(argv[++n]);
    if (arg === '--instances' && Number.isInteger(value) && value >= 1 && value <= 9) options.instances = value;
    else if (arg === '--period' && Number.isInteger(value) && value >= 1 && value <= 60) options.healthCheckPeriodInSecond = value;
    else problems.push(`${arg} ${argv[n] ?? ''}: expected --instances 1-9, --period 1-60 or --embedded-store`);
  }
  if (problems.length) throw new Error(`${problems.join('\n')}\n${USAGE}`);
  return options;
}
