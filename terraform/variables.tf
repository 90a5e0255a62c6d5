variable "region" {
  description = "AWS region. Default: the region of config/resources.json."
  type        = string
  default     = null
}

variable "name_prefix" {
  description = "Prefix of every resource name (e.g. \"staging-\"); empty in production."
  type        = string
  default     = ""
}

variable "bucket_name" {
  description = "Archive bucket name. S3 names are global: set one your account can own (default <name_prefix>prestacop-archive)."
  type        = string
  default     = null
}

variable "shard_counts" {
  description = "Shards per stream key (drones, history), overriding config/resources.json."
  type        = map(number)
  default     = {}
}

variable "retention_hours" {
  description = "Stream retention in hours per stream key, overriding config/resources.json."
  type        = map(number)
  default     = {}
}

variable "hardening" {
  description = "Customer managed KMS key for streams, tables, bucket, topic, queue, logs and disks; point-in-time recovery; deletion protection; S3 public-access block, TLS-only policy and lifecycle. Keep true on AWS."
  type        = bool
  default     = true
}

variable "instance_type" {
  description = "EC2 type of the service hosts (Node + tsx wants 2 GiB)."
  type        = string
  default     = "t3.small"
}

variable "instances_per_service" {
  description = "Hosts per service (default 1 each; not for co-located services, see colocate). Consumers share a stream's shards through their leases, so a second stream-to-storage host adds capacity and takes over if one dies."
  type        = map(number)
  default     = {}
}

variable "colocate" {
  description = "Services without hosts of their own: { service = partner }. The service runs on the partner's first host, whose role carries the policies of both (each still exactly its own calls). The operator console is the alert side."
  type        = map(string)
  default     = { "operator-console" = "alert-system" }
  validation {
    condition     = alltrue([for svc, partner in var.colocate : svc != partner && !contains(keys(var.colocate), partner)])
    error_message = "A service cannot be co-located with itself or with a service that is co-located too."
  }
}

variable "admin_cidr" {
  description = "The only network allowed to reach the hosts (SSH), e.g. \"203.0.113.7/32\"."
  type        = string
  validation {
    condition     = can(cidrhost(var.admin_cidr, 0)) && var.admin_cidr != "0.0.0.0/0"
    error_message = "admin_cidr must be a CIDR narrower than 0.0.0.0/0 (your own address, /32)."
  }
}

variable "ssh_public_key" {
  description = "Public key (OpenSSH format) for the hosts' admin user, which Ansible connects as."
  type        = string
}

variable "ami_id" {
  description = "AMI of the hosts. Default: the newest official Debian 12 amd64 image."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC of the hosts. Default: the account's default VPC."
  type        = string
  default     = null
}

variable "subnet_ids" {
  description = "Public subnets to spread the hosts over (one per availability zone is best). Default: the VPC's default subnets."
  type        = list(string)
  default     = []
}

variable "alarm_email" {
  description = "E-mail address subscribed to the alarm topic (confirm from the mail). Empty: none."
  type        = string
  default     = ""
}

variable "log_retention_days" {
  description = "Retention of the services' CloudWatch log groups."
  type        = number
  default     = 30
}

variable "archive_transitions" {
  description = "Archive lifecycle: days to STANDARD_IA, to GLACIER_IR, and to expiry (0 = never)."
  type = object({
    standard_ia_days = number
    glacier_ir_days  = number
    expire_days      = number
  })
  default = { standard_ia_days = 30, glacier_ir_days = 90, expire_days = 0 }
}

variable "tags" {
  description = "Tags on every resource."
  type        = map(string)
  default     = { Project = "prestacop" }
}

variable "allow_destroy" {
  description = "Turn off the tables' deletion protection and let terraform destroy delete the archive bucket with its objects. Apply with it set, then destroy (docs/deploy.md)."
  type        = bool
  default     = false
}
