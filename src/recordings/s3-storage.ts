import type { Readable } from "node:stream";
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  type CompletedPart,
} from "@aws-sdk/client-s3";
import type { BlobStore } from "./storage.js";

export interface S3Options {
  endpoint?: string;
  bucket: string;
  region: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  forcePathStyle: boolean;
}

/** S3's smallest multipart part; a message below it (nearly all of them) is one PutObject. */
const PART_BYTES = 5 * 1024 * 1024;

/**
 * S3-compatible object storage (STORAGE=s3), for installations that keep
 * large files outside the database. An upload of unknown length is buffered
 * up to one part, so memory per upload is bounded by PART_BYTES; larger ones
 * go multipart (aborted on failure, so nothing half-written becomes visible).
 */
export function createS3BlobStore(o: S3Options): BlobStore {
  const client = new S3Client({
    endpoint: o.endpoint,
    region: o.region,
    forcePathStyle: o.forcePathStyle,
    credentials:
      o.accessKeyId && o.secretAccessKey
        ? { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey }
        : undefined,
  });
  const Bucket = o.bucket;
  const notFound = (err: unknown) =>
    (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404;

  return {
    kind: "s3",
    async put(Key, body) {
      let buffered: Buffer[] = [];
      let bufferedBytes = 0;
      let size = 0;
      let uploadId: string | undefined;
      const parts: CompletedPart[] = [];
      const flushPart = async () => {
        uploadId ??= (await client.send(new CreateMultipartUploadCommand({ Bucket, Key }))).UploadId;
        const PartNumber = parts.length + 1;
        const r = await client.send(
          new UploadPartCommand({ Bucket, Key, UploadId: uploadId, PartNumber, Body: Buffer.concat(buffered) }),
        );
        parts.push({ PartNumber, ETag: r.ETag });
        buffered = [];
        bufferedBytes = 0;
      };
      try {
        for await (const p of body as AsyncIterable<Buffer>) {
          buffered.push(p);
          bufferedBytes += p.length;
          size += p.length;
          if (bufferedBytes >= PART_BYTES) await flushPart();
        }
        if (!uploadId) {
          await client.send(new PutObjectCommand({ Bucket, Key, Body: Buffer.concat(buffered) }));
        } else {
          if (bufferedBytes) await flushPart();
          await client.send(
            new CompleteMultipartUploadCommand({ Bucket, Key, UploadId: uploadId, MultipartUpload: { Parts: parts } }),
          );
        }
      } catch (err) {
        if (uploadId)
          await client
            .send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId: uploadId }))
            .catch(() => undefined);
        throw err;
      }
      return { sizeBytes: size };
    },
    async get(Key, range) {
      const r = await client.send(
        new GetObjectCommand({ Bucket, Key, Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
      // In Node the SDK's body is the HTTP response stream itself: read lazily, never buffered whole.
      return r.Body as Readable;
    },
    async size(Key) {
      try {
        return (await client.send(new HeadObjectCommand({ Bucket, Key }))).ContentLength ?? null;
      } catch (err) {
        if (notFound(err)) return null;
        throw err;
      }
    },
    async delete(Key) {
      await client.send(new DeleteObjectCommand({ Bucket, Key }));
    },
    async *list() {
      let ContinuationToken: string | undefined;
      do {
        const r = await client.send(new ListObjectsV2Command({ Bucket, ContinuationToken }));
        for (const c of r.Contents ?? []) if (c.Key) yield c.Key;
        ContinuationToken = r.IsTruncated ? r.NextContinuationToken : undefined;
      } while (ContinuationToken);
    },
    async close() {
      client.destroy();
    },
  };
}
