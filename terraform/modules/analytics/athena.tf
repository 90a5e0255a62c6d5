# ---------------------------------------------------------------------------------------------------------------
# Query results: a bucket of their own (they are copies of archive data), private, encrypted, TLS only, expiring.

locals {
  results_bucket = coalesce(var.results_bucket_name, "${var.archive_bucket.name}-athena-results")
  workgroup      = "${var.name_prefix}prestacop-analysis"
  results_prefix = "${local.workgroup}/"
}

resource "aws_s3_bucket" "results" {
  bucket        = local.results_bucket
  force_destroy = var.force_destroy
  tags          = var.tags

  lifecycle {
    precondition {
      condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", local.results_bucket))
      error_message = "The results bucket's name (results_bucket_name, or <archive bucket>-athena-results) must be 3 to 63 lowercase letters, digits, '.' and '-': set results_bucket_name."
    }
  }
}

# Private, encrypted (SSE-KMS with the archive's key, else SSE-S3), TLS only (modules/private-bucket).
module "results_private" {
  source = "../private-bucket"

  bucket = { id = aws_s3_bucket.results.id, arn = aws_s3_bucket.results.arn, kms_key_arn = var.kms_key_arn }
}

resource "aws_s3_bucket_lifecycle_configuration" "results" {
  bucket = aws_s3_bucket.results.id
  rule {
    id     = "expire-results"
    status = "Enabled"
    filter {}
    expiration {
      days = var.results_retention_days
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# ---------------------------------------------------------------------------------------------------------------
# The workgroup. Its configuration overrides the client's (enforce_workgroup_configuration): a query cannot write
# its results elsewhere or unencrypted, nor scan more than bytes_scanned_cutoff.

resource "aws_athena_workgroup" "this" {
  name          = local.workgroup
  description   = "PrestaCop's analysis: the statistics (named queries) over the archive's Glue database ${local.database}."
  state         = "ENABLED"
  force_destroy = var.force_destroy
  tags          = var.tags

  configuration {
    enforce_workgroup_configuration    = true
    publish_cloudwatch_metrics_enabled = true
    bytes_scanned_cutoff_per_query     = var.bytes_scanned_cutoff
    requester_pays_enabled             = false

    engine_version {
      selected_engine_version = "Athena engine version 3"
    }

    result_configuration {
      output_location       = "s3://${aws_s3_bucket.results.bucket}/${local.results_prefix}"
      expected_bucket_owner = var.account
      encryption_configuration {
        encryption_option = var.kms_key_arn == null ? "SSE_S3" : "SSE_KMS"
        kms_key_arn       = var.kms_key_arn
      }
    }
  }
}

# ---------------------------------------------------------------------------------------------------------------
# Named queries: one per statistic (the Athena console lists them under "Saved queries"), read from queries_dir.

locals {
  queries_dir = coalesce(var.queries_dir, "${var.athena_dir}/queries")
  statistics  = { for f in fileset(local.queries_dir, "*.sql") : trimsuffix(f, ".sql") => file("${local.queries_dir}/${f}") }
}

resource "aws_athena_named_query" "statistic" {
  for_each = local.statistics

  name      = "${var.name_prefix}prestacop-${each.key}"
  workgroup = aws_athena_workgroup.this.id
  database  = aws_glue_catalog_database.this.name
  query     = each.value
  # The file's first line, when it is a comment, says what the statistic is.
  description = substr(try(trimspace(trimprefix(regex("^--[^\n]*", each.value), "--")), "PrestaCop statistic ${each.key}"), 0, 1024)

  lifecycle {
    precondition {
      condition     = can(regex("^[A-Za-z0-9_.-]{1,100}$", each.key)) && length(each.value) > 0 && length(each.value) <= 262144
      error_message = "A statistic's file must be named <letters, digits, _ . ->.sql (at most 100 characters) and hold 1 to 262144 characters (Athena's limit for a query)."
    }
  }
}
