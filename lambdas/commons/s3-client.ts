// The S3 (inbound mail) client, once per process (see ./clients.ts).
import { S3Client } from '@aws-sdk/client-s3';
import { perProcess } from './clients.ts';

// A local S3 endpoint has no bucket subdomains, so path-style addressing is used whenever one is configured.
export const s3Client: () => S3Client = perProcess(
  'S3',
  () =>
    new S3Client({
      forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL),
    }),
);
