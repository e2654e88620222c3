import { S3Client } from '@aws-sdk/client-s3';
import { awsClient } from '../shared/powertools';

// The endpoint comes from the SDK's own configuration (AWS_ENDPOINT_URL_S3 points it at the local S3 server
// when the local runtime runs the handlers). A server on a loopback address has no bucket subdomains, so a
// configured endpoint means path-style addressing; on AWS, no endpoint is configured.
export const s3Client = awsClient(
  new S3Client({ forcePathStyle: process.env.AWS_ENDPOINT_URL_S3 !== undefined }),
);
