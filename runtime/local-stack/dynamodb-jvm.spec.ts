import assert from 'node:assert/strict';

import { DYNAMODB_JVM_FLAGS, dynamodbJvmFlagsFromEnv } from './index.ts';

describe('LocalStack > DynamoDB Local JVM flags', () => {
  it('uses C1 and the serial GC unless PRESTACOP_DYNAMODB_JVM_OPTS says otherwise', () => {
    assert.deepEqual(dynamodbJvmFlagsFromEnv({}), DYNAMODB_JVM_FLAGS);
    assert.deepEqual(dynamodbJvmFlagsFromEnv({}), ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC']);
    assert.deepEqual(
      dynamodbJvmFlagsFromEnv({ PRESTACOP_DYNAMODB_JVM_OPTS: ' -XX:+UseG1GC  -Xss1m ' }),
      ['-XX:+UseG1GC', '-Xss1m'],
    );
    assert.deepEqual(dynamodbJvmFlagsFromEnv({ PRESTACOP_DYNAMODB_JVM_OPTS: '' }), []);
  });
});
