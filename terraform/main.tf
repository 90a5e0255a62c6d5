# PrestaCop on AWS: the data plane (modules/data-plane), a KMS key for it, one IAM role and instance profile per
# service with exactly the calls it makes (modules/services), the service hosts, their log groups, and the
# outputs that become the services' configuration and the Ansible inventory (outputs.tf).

locals {
  spec   = jsondecode(file("${path.module}/../config/resources.json"))
  region = coalesce(var.region, local.spec.region)

  account   = data.aws_caller_identity.current.account_id
  partition = data.aws_partition.current.partition
  # The alarm topic's ARN, known before the topic exists, for the key policy (the topic itself uses the key).
  alarm_topic_arn = "arn:${local.partition}:sns:${local.region}:${local.account}:${var.name_prefix}${local.spec.topics.alarms.name}"
  log_group_arn   = "arn:${local.partition}:logs:${local.region}:${local.account}:log-group:/${var.name_prefix}prestacop/"

  kms_key_arn = var.hardening ? aws_kms_key.main[0].arn : null
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

# ---------------------------------------------------------------------------------------------------------------
# KMS: one customer managed key for the data plane, the log groups and the hosts' disks.

resource "aws_kms_key" "main" {
  count = var.hardening ? 1 : 0

  description             = "PrestaCop data plane, logs and disks"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The account's administrators manage the key through IAM (AWS's default key policy statement).
        Sid       = "AccountAdministration"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchLogsForPrestaCopGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey", "kms:DescribeKey"]
        Resource  = "*"
        Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "${local.log_group_arn}*" } }
      },
      {
        # SNS encrypts what it delivers to the (encrypted) console queue with this key.
        Sid       = "AlarmTopicDeliveryToQueue"
        Effect    = "Allow"
        Principal = { Service = "sns.amazonaws.com" }
        Action    = ["kms:GenerateDataKey", "kms:Decrypt"]
        Resource  = "*"
        Condition = { ArnEquals = { "aws:SourceArn" = local.alarm_topic_arn } }
      },
    ]
  })
}

resource "aws_kms_alias" "main" {
  count = var.hardening ? 1 : 0

  name          = "alias/${var.name_prefix}prestacop"
  target_key_id = aws_kms_key.main[0].key_id
}

# ---------------------------------------------------------------------------------------------------------------
# Data plane and service catalog.

module "data_plane" {
  source = "./modules/data-plane"

  name_prefix         = var.name_prefix
  bucket_name         = var.bucket_name
  shard_counts        = var.shard_counts
  retention_hours     = var.retention_hours
  hardening           = var.hardening
  kms_key_arn         = local.kms_key_arn
  alarm_email         = var.alarm_email
  archive_transitions = var.archive_transitions
  force_destroy       = var.allow_destroy
}

module "services" {
  source = "./modules/services"

  data_plane  = module.data_plane
  region      = local.region
  kms_key_arn = local.kms_key_arn
}

locals {
  service_names = module.services.names
  # { service = partner } for the services without hosts of their own: the catalog's placement unless overridden.
  colocate = var.colocate == null ? module.services.placement : var.colocate
  # Services with hosts of their own; a co-located one runs on its partner's first host instead.
  host_services = [for svc in local.service_names : svc if !contains(keys(local.colocate), svc)]
  # The role (named after the host service) whose hosts run each service.
  role_of = merge({ for svc in local.host_services : svc => svc }, local.colocate)
  # One host per (host service, index): "drone-simulator-1", ...; `services` is what it runs, its own first.
  hosts = merge([
    for svc in local.host_services : {
      for i in range(lookup(var.instances_per_service, svc, 1)) : "${svc}-${i + 1}" => {
        service  = svc
        services = concat([svc], i == 0 ? sort([for c, partner in local.colocate : c if partner == svc]) : [])
        index    = i
      }
    }
  ]...)
}
