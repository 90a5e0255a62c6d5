variable "name_prefix" {
  description = "Prepended to every resource name (e.g. \"staging-\"); the Glue database takes it with '-' as '_'."
  type        = string
  nullable    = false
  default     = ""
  validation {
    condition     = can(regex("^[a-z0-9-]{0,20}$", var.name_prefix))
    error_message = "name_prefix: up to 20 lowercase letters, digits and hyphens."
  }
}

variable "archive_bucket" {
  description = "The archive bucket (the data-plane module's bucket output): name and ARN."
  type        = object({ name = string, arn = string })
}

variable "kms_key_arn" {
  description = "The customer managed key the archive is encrypted with; Athena's results are encrypted with it too (SSE-KMS). null: S3-managed keys (SSE-S3), for an archive without the key."
  type        = string
  default     = null
}

variable "region" {
  description = "Region of the Glue catalog and the Athena workgroup (for ARNs and the key's kms:ViaService)."
  type        = string
}

variable "account" {
  description = "AWS account id (for ARNs and the results bucket's expected owner)."
  type        = string
}

variable "partition" {
  description = "AWS partition (aws, aws-cn, aws-us-gov), for ARNs."
  type        = string
  default     = "aws"
}

variable "athena_dir" {
  description = "The analysis's generated Athena files (analysis/athena, written by npm run gen:athena-sql): glue-tables.json (the Glue tables), views/<relation>.sql (the views, as named queries) and, unless queries_dir says otherwise, queries/<statistic>.sql."
  type        = string
  nullable    = false
}

variable "queries_dir" {
  description = "Folder of the statistics' Athena SQL, one <name>.sql per statistic: each becomes a named query. null: <athena_dir>/queries."
  type        = string
  default     = null
}

variable "bytes_scanned_cutoff" {
  description = "Athena cancels any query of the workgroup that scans more than this many bytes (at least 10 MB, Athena's minimum). 100 GiB by default: about $0.50 a query at $5 per TB."
  type        = number
  nullable    = false
  default     = 107374182400
  validation {
    condition     = var.bytes_scanned_cutoff == floor(var.bytes_scanned_cutoff) && var.bytes_scanned_cutoff >= 10485760
    error_message = "bytes_scanned_cutoff must be a whole number of bytes, at least 10485760 (10 MB, the smallest cutoff Athena accepts)."
  }
}

variable "archive_start_day" {
  description = "The first day (YYYY-MM-DD) the tables project partitions for: set it to the archive's first day. Every query without a day filter lists each hour from this day to today, so an early date only costs time."
  type        = string
  nullable    = false
  default     = "2025-01-01"
  validation {
    condition     = can(regex("^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$", var.archive_start_day)) && can(formatdate("YYYY", "${var.archive_start_day}T00:00:00Z"))
    error_message = "archive_start_day must be a date written YYYY-MM-DD."
  }
}

variable "dead_letter_actors" {
  description = "The values of the dead-letter key's actor= (the actor's name, '/' written '.'): Athena reads the dead letters of these actors only, so a new actor that dead-letters must be added here."
  type        = list(string)
  nullable    = false
  default     = ["alert-system", "csv-to-stream", "operator-console", "stream-to-storage.alarms", "stream-to-storage.drones", "stream-to-storage.history"]
  validation {
    condition     = length(var.dead_letter_actors) > 0 && length(var.dead_letter_actors) <= 50 && alltrue([for a in var.dead_letter_actors : can(regex("^[a-z0-9][a-z0-9.-]{0,63}$", a))])
    error_message = "dead_letter_actors: 1 to 50 names of lowercase letters, digits, '-' and '.' (no '/', ',' or '*': a '/' in an actor's name is written '.' in the key)."
  }
}

variable "analysis_principals" {
  description = "IAM principals (ARNs of roles, users or accounts' :root) that may assume the analysis role. Empty: no role is created."
  type        = list(string)
  nullable    = false
  default     = []
  validation {
    condition = alltrue([for p in var.analysis_principals :
    can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(root|role/[A-Za-z0-9+=,.@_/-]+|user/[A-Za-z0-9+=,.@_/-]+)$", p))])
    error_message = "analysis_principals must be IAM ARNs (arn:aws:iam::<account>:root, :role/<name> or :user/<name>), without wildcards."
  }
}

variable "console_listing" {
  description = "Also let the analysis role list the account's Athena workgroups, data catalogs and engine versions (the console's menus). These calls exist only on every resource (\"*\"); without them, open the console on the workgroup (docs/deploy.md)."
  type        = bool
  nullable    = false
  default     = false
}

variable "results_bucket_name" {
  description = "Bucket of Athena's query results. Default <archive bucket>-athena-results."
  type        = string
  default     = null
}

variable "results_retention_days" {
  description = "Days Athena's query results (copies of archive data) are kept."
  type        = number
  nullable    = false
  default     = 7
  validation {
    condition     = var.results_retention_days == floor(var.results_retention_days) && var.results_retention_days >= 1
    error_message = "results_retention_days must be a whole number of days, at least 1."
  }
}

variable "force_destroy" {
  description = "Let terraform destroy delete the results bucket with its objects and the workgroup with its history."
  type        = bool
  nullable    = false
  default     = false
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  nullable    = false
  default     = {}
}
