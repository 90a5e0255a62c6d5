# A bucket made private, written once for the archive (modules/data-plane) and Athena's results
# (modules/analytics): no public access, owner-enforced objects, encrypted at rest (SSE-KMS with the key, SSE-S3
# without one), TLS only. The bucket itself, its versioning and its lifecycle stay with its module.

variable "bucket" {
  description = "The bucket (id, ARN) and the key its objects are encrypted with: SSE-KMS with bucket keys, or SSE-S3 when kms_key_arn is null."
  type        = object({ id = string, arn = string, kms_key_arn = optional(string) })
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = var.bucket.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = var.bucket.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = var.bucket.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = var.bucket.kms_key_arn == null ? "AES256" : "aws:kms"
      kms_master_key_id = var.bucket.kms_key_arn
    }
    bucket_key_enabled = var.bucket.kms_key_arn != null
  }
}

resource "aws_s3_bucket_policy" "this" {
  bucket = var.bucket.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [var.bucket.arn, "${var.bucket.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  # A policy written before the block is in place could be judged against the account's defaults.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

# What the mocked tests check (terraform/tests): the settings as applied.
output "public_access_block" {
  value = aws_s3_bucket_public_access_block.this
}

output "ownership_controls" {
  value = aws_s3_bucket_ownership_controls.this
}

output "encryption" {
  value = aws_s3_bucket_server_side_encryption_configuration.this
}

output "policy" {
  value = aws_s3_bucket_policy.this
}
