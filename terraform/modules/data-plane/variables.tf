variable "resources_file" {
  description = "Path of the resource description (names and sizes). Default: the repository's config/resources.json, the file the local stack provisions from."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prepended to every resource name (e.g. \"staging-\"). Empty in production; tests use one so they never touch the real names."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^[a-z0-9-]{0,20}$", var.name_prefix))
    error_message = "name_prefix: up to 20 lowercase letters, digits and hyphens (it also prefixes the S3 bucket)."
  }
}

variable "bucket_name" {
  description = "Archive bucket name instead of <name_prefix><resources.json name>: S3 names are global, so an AWS account usually needs its own."
  type        = string
  default     = null
}

variable "shard_counts" {
  description = "Shard count per stream key (drones, history), overriding resources.json."
  type        = map(number)
  default     = {}
}

variable "retention_hours" {
  description = "Retention in hours per stream key, overriding resources.json (24-8760)."
  type        = map(number)
  default     = {}
}

variable "hardening" {
  description = "KMS encryption everywhere, point-in-time recovery, deletion protection, S3 public-access block, TLS-only bucket policy, versioning and lifecycle. false only for emulators, which implement none of these."
  type        = bool
  default     = true
}

variable "kms_key_arn" {
  description = "Customer managed KMS key for streams, tables, bucket, topic and queue. Required when hardening is true."
  type        = string
  default     = null
  validation {
    condition     = !var.hardening || var.kms_key_arn != null
    error_message = "kms_key_arn is required when hardening is true."
  }
}

variable "archive_transitions" {
  description = "Archive lifecycle: days after which objects move to STANDARD_IA and then GLACIER_IR; expire_days 0 keeps them forever. The bucket is versioned: noncurrent_expire_days is how long an overwritten or deleted object's previous version is kept."
  type = object({
    standard_ia_days       = number
    glacier_ir_days        = number
    expire_days            = number
    noncurrent_expire_days = optional(number, 30)
  })
  default = { standard_ia_days = 30, glacier_ir_days = 90, expire_days = 0, noncurrent_expire_days = 30 }
  validation {
    condition     = var.archive_transitions.noncurrent_expire_days >= 1
    error_message = "noncurrent_expire_days must be at least 1: the previous version of an overwritten object is the point of versioning."
  }
}

variable "force_destroy" {
  description = "Let `terraform destroy` delete the bucket with its objects, and turn the tables' deletion protection off (the root's allow_destroy)."
  type        = bool
  default     = false
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (the subscription must be confirmed from the mail). Empty: none."
  type        = string
  default     = ""
}

variable "tags" {
  description = "Tags for every resource (the emulators accept them on streams and tables only, so tests pass {})."
  type        = map(string)
  default     = {}
}
