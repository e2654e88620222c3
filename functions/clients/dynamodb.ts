import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClient } from '../shared/powertools';

// The endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_DYNAMODB points it at
// DynamoDB Local when the local runtime runs the handlers).
export const documentClient = DynamoDBDocumentClient.from(awsClient(new DynamoDBClient({})), {
  marshallOptions: { removeUndefinedValues: true },
});
