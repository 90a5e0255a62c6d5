/**
 * What the benchmarks and the infra checks measure from outside a service: a process' CPU time from /proc, and the
 * items of a DynamoDB table.
 */
import { readFileSync } from 'node:fs';

import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';

/**
 * CPU seconds (user + system, every thread) a process used so far, from /proc (0 if it is gone).
 * @example const before = cpuSeconds(pid); await work(); console.log(cpuSeconds(pid) - before);
 */
export const cpuSeconds = (pid: number | undefined): number => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100; // USER_HZ
  } catch {
    return 0;
  }
};

/**
 * Items in a table (a paginated COUNT scan: fine for tests and benchmarks, not for a large table on AWS).
 * @example const stored = await countItems(clients.doc, 'prestacop-messages');
 */
export const countItems = async (doc: DynamoDBDocumentClient, table: string): Promise<number> => {
  let n = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(
      new ScanCommand({ TableName: table, Select: 'COUNT', ExclusiveStartKey: start }),
    );
    n += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return n;
};
