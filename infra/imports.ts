import { Construct } from 'constructs';
import type { RekindleTables } from './tables';

/** Bulk import of users from JSON Lines files in S3, through the same user-write path as every event. */
export class UserImport extends Construct {
  constructor(scope: Construct, id: string, _props: { tables: RekindleTables }) {
    super(scope, id);
  }
}
