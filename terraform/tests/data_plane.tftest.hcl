# The data-plane module, hardened and not, against a mocked AWS provider (no account, no network).

mock_provider "aws" {
  source = "./tests/mocks"
}

variables {
  kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
}

run "hardened" {
  command = apply
  module {
    source = "./modules/data-plane"
  }

  # Names and sizes come from config/resources.json, the file the local stack provisions from.
  assert {
    condition = alltrue([
      for key, s in jsondecode(file("../config/resources.json")).streams :
      aws_kinesis_stream.this[key].name == s.name && aws_kinesis_stream.this[key].shard_count == s.shards && aws_kinesis_stream.this[key].retention_period == s.retentionHours
    ])
    error_message = "Streams must take their names, shards and retention from config/resources.json."
  }
  assert {
    condition = alltrue([
      for key, t in jsondecode(file("../config/resources.json")).tables :
      aws_dynamodb_table.this[key].name == t.name && aws_dynamodb_table.this[key].hash_key == t.hashKey
    ])
    error_message = "Tables must take their names and keys from config/resources.json."
  }

  assert {
    condition     = alltrue([for s in aws_kinesis_stream.this : s.encryption_type == "KMS" && s.kms_key_id == var.kms_key_arn])
    error_message = "Every stream must be encrypted with the customer managed key."
  }
  assert {
    condition = alltrue([for t in aws_dynamodb_table.this :
      t.server_side_encryption[0].enabled && t.server_side_encryption[0].kms_key_arn == var.kms_key_arn
    && t.point_in_time_recovery[0].enabled && t.deletion_protection_enabled])
    error_message = "Every table must have KMS encryption, point-in-time recovery and deletion protection."
  }
  assert {
    condition     = aws_dynamodb_table.this["messages"].ttl[0].enabled && aws_dynamodb_table.this["messages"].ttl[0].attribute_name == "expiresAt"
    error_message = "The messages table must expire items on its TTL attribute."
  }

  assert {
    condition = (module.archive_private["on"].public_access_block.block_public_acls
      && module.archive_private["on"].public_access_block.block_public_policy
      && module.archive_private["on"].public_access_block.ignore_public_acls
    && module.archive_private["on"].public_access_block.restrict_public_buckets)
    error_message = "The archive bucket must block every kind of public access."
  }
  assert {
    condition     = module.archive_private["on"].ownership_controls.rule[0].object_ownership == "BucketOwnerEnforced"
    error_message = "ACLs must be disabled on the archive bucket."
  }
  assert {
    condition = anytrue([for r in module.archive_private["on"].encryption.rule :
      one(r.apply_server_side_encryption_by_default).sse_algorithm == "aws:kms"
      && one(r.apply_server_side_encryption_by_default).kms_master_key_id == var.kms_key_arn
    && r.bucket_key_enabled])
    error_message = "The archive bucket must encrypt with the customer managed key (and a bucket key)."
  }
  assert {
    condition = anytrue([for st in jsondecode(module.archive_private["on"].policy.policy).Statement :
      st.Effect == "Deny" && st.Principal == "*" && st.Condition.Bool["aws:SecureTransport"] == "false"
    && contains(st.Resource, "${aws_s3_bucket.archive.arn}/*") && contains(st.Resource, aws_s3_bucket.archive.arn)])
    error_message = "The archive bucket policy must deny every request not made over TLS."
  }
  assert {
    condition = anytrue([for r in aws_s3_bucket_lifecycle_configuration.archive["on"].rule :
    r.status == "Enabled" && contains([for t in r.transition : t.storage_class], "GLACIER_IR")])
    error_message = "The archive must move to colder storage as it ages."
  }
  # A writer may overwrite an object (it holds s3:PutObject), never delete a version: the previous one is kept.
  assert {
    condition     = aws_s3_bucket_versioning.archive["on"].versioning_configuration[0].status == "Enabled"
    error_message = "The archive bucket must be versioned, so an overwritten object can be recovered."
  }
  assert {
    condition = anytrue([for r in aws_s3_bucket_lifecycle_configuration.archive["on"].rule :
    r.status == "Enabled" && try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 30])
    error_message = "Previous versions must expire (30 days by default), or versioning keeps every overwrite forever."
  }

  assert {
    condition     = alltrue([for t in aws_sns_topic.this : t.kms_master_key_id == var.kms_key_arn])
    error_message = "The alarm topic must be encrypted with the customer managed key."
  }
  assert {
    condition     = alltrue([for q in aws_sqs_queue.this : q.kms_master_key_id == var.kms_key_arn])
    error_message = "The console queue must be encrypted with the customer managed key."
  }
  assert {
    condition = alltrue([for st in jsondecode(aws_sqs_queue.this["console"].policy).Statement :
      st.Principal.Service == "sns.amazonaws.com" && st.Action == "sqs:SendMessage"
      && st.Resource == "arn:aws:sqs:us-east-1:123456789012:prestacop-console"
    && st.Condition.ArnEquals["aws:SourceArn"] == aws_sns_topic.this["alarms"].arn])
    error_message = "Only the alarm topic may send to the console queue."
  }
  assert {
    condition     = aws_sns_topic_subscription.queue["console"].protocol == "sqs" && length(aws_sns_topic_subscription.email) == 0
    error_message = "The console queue is subscribed to the topic; no e-mail subscription without alarm_email."
  }
  # stream-to-storage's alarm archive: encrypted (above), only the topic may send, each event's JSON alone.
  assert {
    condition = alltrue([for st in jsondecode(aws_sqs_queue.this["alarmArchive"].policy).Statement :
      st.Principal.Service == "sns.amazonaws.com" && st.Action == "sqs:SendMessage"
      && st.Resource == "arn:aws:sqs:us-east-1:123456789012:prestacop-alarm-archive"
    && st.Condition.ArnEquals["aws:SourceArn"] == aws_sns_topic.this["alarms"].arn])
    error_message = "Only the alarm topic may send to the alarm archive queue."
  }
  assert {
    condition = (aws_sns_topic_subscription.queue["alarmArchive"].protocol == "sqs"
      && aws_sns_topic_subscription.queue["alarmArchive"].endpoint == aws_sqs_queue.this["alarmArchive"].arn
      && aws_sns_topic_subscription.queue["alarmArchive"].raw_message_delivery
      && jsondecode(aws_sns_topic_subscription.queue["alarmArchive"].filter_policy).type == ["alarm.raised", "alarm.escalated", "alarm.resolved"]
    && !aws_sns_topic_subscription.queue["console"].raw_message_delivery)
    error_message = "The alarm archive queue is subscribed with raw delivery (the event's JSON alone) to the alarm events only; the console's is not raw."
  }
}

run "alarm_email" {
  command = plan
  module {
    source = "./modules/data-plane"
  }
  variables {
    alarm_email = "ops@example.org"
  }
  assert {
    condition     = aws_sns_topic_subscription.email[0].protocol == "email" && aws_sns_topic_subscription.email[0].endpoint == "ops@example.org"
    error_message = "alarm_email must subscribe that address to the alarm topic."
  }
}

run "emulator_mode" {
  command = apply
  module {
    source = "./modules/data-plane"
  }
  variables {
    hardening   = false
    kms_key_arn = null
    name_prefix = "t-"
  }
  assert {
    condition = (length(module.archive_private) + length(aws_s3_bucket_lifecycle_configuration.archive)
    + length(aws_s3_bucket_versioning.archive)) == 0
    error_message = "Without hardening, nothing the emulators lack (bucket policy, public-access block, versioning, lifecycle, KMS) is created."
  }
  assert {
    condition     = alltrue([for s in aws_kinesis_stream.this : s.encryption_type == "NONE" && startswith(s.name, "t-")])
    error_message = "Without hardening, streams are unencrypted; name_prefix prefixes every name."
  }
}

run "hardening_needs_a_key" {
  command = plan
  module {
    source = "./modules/data-plane"
  }
  variables {
    kms_key_arn = null
  }
  expect_failures = [var.kms_key_arn]
}

run "noncurrent_versions_kept_as_configured" {
  command = plan
  module {
    source = "./modules/data-plane"
  }
  variables {
    archive_transitions = { standard_ia_days = 30, glacier_ir_days = 90, expire_days = 0, noncurrent_expire_days = 7 }
  }
  assert {
    condition = anytrue([for r in aws_s3_bucket_lifecycle_configuration.archive["on"].rule :
    try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 7])
    error_message = "archive_transitions.noncurrent_expire_days sets how long previous versions are kept."
  }
}

run "noncurrent_versions_kept_at_least_a_day" {
  command = plan
  module {
    source = "./modules/data-plane"
  }
  variables {
    archive_transitions = { standard_ia_days = 30, glacier_ir_days = 90, expire_days = 0, noncurrent_expire_days = 0 }
  }
  expect_failures = [var.archive_transitions]
}
