# PrestaCop's data plane: the streams, tables, archive bucket, alarm topic and console queue of
# config/resources.json. Names and sizes come from that file, the one the local stack provisions from, so the two
# never drift. With hardening = false the module creates only what the local emulators implement.

locals {
  spec = jsondecode(file(coalesce(var.resources_file, "${path.module}/../../../config/resources.json")))

  streams = {
    for key, s in local.spec.streams : key => {
      name      = "${var.name_prefix}${s.name}"
      shards    = lookup(var.shard_counts, key, s.shards)
      retention = lookup(var.retention_hours, key, s.retentionHours)
    }
  }
  tables = {
    for key, t in local.spec.tables : key => {
      name     = "${var.name_prefix}${t.name}"
      hash_key = t.hashKey
      ttl      = t.ttlAttribute
    }
  }
  bucket_name = coalesce(var.bucket_name, "${var.name_prefix}${local.spec.buckets.archive.name}")
  topics      = { for key, t in local.spec.topics : key => "${var.name_prefix}${t.name}" }
  queues = {
    for key, q in local.spec.queues : key => {
      name          = "${var.name_prefix}${q.name}"
      subscribe_to  = q.subscribeTo
      raw_delivery  = try(q.rawDelivery, false)
      filter_policy = try(jsonencode(q.filterPolicy), null)
    }
  }
  hardened = var.hardening ? { on = true } : {}
}

# ---------------------------------------------------------------------------------------------------------------
# Kinesis: no stream_mode_details block (provisioned is the default with a shard count, and kinesalite returns no
# StreamModeDetails, which would show as a permanent diff).

resource "aws_kinesis_stream" "this" {
  for_each = local.streams

  name             = each.value.name
  shard_count      = each.value.shards
  retention_period = each.value.retention
  encryption_type  = var.hardening ? "KMS" : "NONE"
  kms_key_id       = var.hardening ? var.kms_key_arn : null
  tags             = var.tags
}

# ---------------------------------------------------------------------------------------------------------------
# DynamoDB: on demand, keyed by one string attribute, TTL where the spec names an attribute.

resource "aws_dynamodb_table" "this" {
  for_each = local.tables

  name                        = each.value.name
  billing_mode                = "PAY_PER_REQUEST"
  hash_key                    = each.value.hash_key
  deletion_protection_enabled = var.hardening && !var.force_destroy

  attribute {
    name = each.value.hash_key
    type = "S"
  }

  dynamic "ttl" {
    for_each = each.value.ttl == null ? [] : [each.value.ttl]
    content {
      attribute_name = ttl.value
      enabled        = true
    }
  }

  point_in_time_recovery {
    enabled = var.hardening
  }

  dynamic "server_side_encryption" {
    for_each = local.hardened
    content {
      enabled     = true
      kms_key_arn = var.kms_key_arn
    }
  }

  tags = var.tags
}

# ---------------------------------------------------------------------------------------------------------------
# S3 archive: private, KMS-encrypted, TLS only, versioned, tiered to colder storage as it ages. Versioning: a
# writer may put (overwrite) objects but holds no s3:DeleteObjectVersion, so what it overwrites stays recoverable
# for noncurrent_expire_days.

resource "aws_s3_bucket" "archive" {
  bucket        = local.bucket_name
  force_destroy = var.force_destroy
  tags          = var.tags
}

# Private, encrypted with the key, TLS only (modules/private-bucket); with hardening only, as before.
module "archive_private" {
  source   = "../private-bucket"
  for_each = local.hardened

  bucket = { id = aws_s3_bucket.archive.id, arn = aws_s3_bucket.archive.arn, kms_key_arn = var.kms_key_arn }
}

resource "aws_s3_bucket_versioning" "archive" {
  for_each = local.hardened

  bucket = aws_s3_bucket.archive.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "archive" {
  for_each = local.hardened

  bucket = aws_s3_bucket.archive.id
  # Rules on noncurrent versions need versioning in place first (AWS's advice for this resource).
  depends_on = [aws_s3_bucket_versioning.archive]
  rule {
    id     = "colder-with-age"
    status = "Enabled"
    filter {}
    transition {
      days          = var.archive_transitions.standard_ia_days
      storage_class = "STANDARD_IA"
    }
    transition {
      days          = var.archive_transitions.glacier_ir_days
      storage_class = "GLACIER_IR"
    }
    dynamic "expiration" {
      for_each = var.archive_transitions.expire_days > 0 ? [var.archive_transitions.expire_days] : []
      content {
        days = expiration.value
      }
    }
  }
  rule {
    id     = "previous-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = var.archive_transitions.noncurrent_expire_days
    }
    # A delete marker left with no version behind it (all expired) is removed too.
    expiration {
      expired_object_delete_marker = true
    }
  }
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }
}

# ---------------------------------------------------------------------------------------------------------------
# SNS alarm topic, its optional e-mail subscription, and the SQS queue the operator console reads.

resource "aws_sns_topic" "this" {
  for_each = local.topics

  name              = each.value
  kms_master_key_id = var.hardening ? var.kms_key_arn : null
  tags              = var.tags
}

resource "aws_sns_topic_subscription" "email" {
  count = var.alarm_email == "" ? 0 : 1

  topic_arn = aws_sns_topic.this["alarms"].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

locals {
  # A subscribed queue's ARN, known before the queue exists (its policy names it): the topic's partition, region
  # and account, as a data source for the account would need STS.
  subscribed_queue_arns = {
    for key, q in local.queues : key => format("arn:%s:sqs:%s:%s:%s",
      split(":", aws_sns_topic.this[q.subscribe_to].arn)[1],
      split(":", aws_sns_topic.this[q.subscribe_to].arn)[3],
      split(":", aws_sns_topic.this[q.subscribe_to].arn)[4],
    q.name) if q.subscribe_to != null
  }
}

resource "aws_sqs_queue" "this" {
  for_each = local.queues

  name                              = each.value.name
  message_retention_seconds         = 345600
  kms_master_key_id                 = var.hardening ? var.kms_key_arn : null
  kms_data_key_reuse_period_seconds = var.hardening ? 300 : null
  tags                              = var.tags

  # SNS may deliver to the queue only from its own topic. (A separate aws_sqs_queue_policy would double the apply
  # and destroy time: the provider waits for each change to propagate.)
  policy = each.value.subscribe_to == null ? null : jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "AlarmTopicOnly"
      Effect    = "Allow"
      Principal = { Service = "sns.amazonaws.com" }
      Action    = "sqs:SendMessage"
      Resource  = local.subscribed_queue_arns[each.key]
      Condition = { ArnEquals = { "aws:SourceArn" = aws_sns_topic.this[each.value.subscribe_to].arn } }
    }]
  })
}

# Raw delivery off unless the spec says rawDelivery: the console gets the SNS envelope with MessageAttributes and
# TopicArn (as locally); the alarm archive's queue (stream-to-storage) gets each alarm event's JSON alone, and only
# alarm events (its filter policy on the `type` attribute: the watchdog's drone events share the topic).
resource "aws_sns_topic_subscription" "queue" {
  for_each = { for key, q in local.queues : key => q if q.subscribe_to != null }

  topic_arn            = aws_sns_topic.this[each.value.subscribe_to].arn
  protocol             = "sqs"
  endpoint             = aws_sqs_queue.this[each.key].arn
  raw_message_delivery = each.value.raw_delivery
  filter_policy        = each.value.filter_policy
}
