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
  description = "Customer managed KMS key for streams, tables, bucket, topic, queue, logs and disks; point-in-time recovery; deletion protection; S3 public-access block, TLS-only policy, versioning and lifecycle. Keep true on AWS."
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
  validation {
    # 0 would leave the service's role with no host, an empty log policy, and its co-located services nowhere.
    condition     = alltrue([for n in values(var.instances_per_service) : n == floor(n) && n >= 1])
    error_message = "instances_per_service: a whole number of hosts, at least 1."
  }
}

variable "colocate" {
  description = "Services without hosts of their own: { service = partner }. The service runs on the partner's first host, whose role carries the policies of both (each still exactly its own calls). null (the default): the catalog's placement (modules/services: the operator console and the drone watchdog on the alert-system's host, three hosts in all); {} gives every service a host."
  type        = map(string)
  default     = null
  validation {
    condition     = var.colocate == null ? true : alltrue([for svc, partner in var.colocate : svc != partner && !contains(keys(var.colocate), partner)])
    error_message = "A service cannot be co-located with itself or with a service that is co-located too."
  }
}

variable "admin_cidr" {
  description = "The only network allowed to reach the hosts (SSH), e.g. \"203.0.113.7/32\": an IPv4 CIDR no broader than admin_cidr_min_prefix."
  type        = string
  validation {
    condition = (can(regex("^[0-9]{1,3}(\\.[0-9]{1,3}){3}/[0-9]{1,2}$", var.admin_cidr)) && can(cidrhost(var.admin_cidr, 0))
    && try(tonumber(split("/", var.admin_cidr)[1]) >= var.admin_cidr_min_prefix, false))
    error_message = "admin_cidr must be an IPv4 CIDR no broader than /${var.admin_cidr_min_prefix} (admin_cidr_min_prefix): your own address, /32."
  }
  validation {
    condition     = try(cidrhost(var.admin_cidr, 0) == split("/", var.admin_cidr)[0], true)
    error_message = "admin_cidr has host bits set: write the network's first address (e.g. 203.0.113.0/24, not 203.0.113.7/24)."
  }
}

variable "admin_cidr_min_prefix" {
  description = "The broadest admin_cidr accepted, as a prefix length: 24 takes a /24 or narrower. 8 at the least (a /7 or broader is a sizeable part of the internet)."
  type        = number
  default     = 24
  validation {
    condition     = var.admin_cidr_min_prefix == floor(var.admin_cidr_min_prefix) && var.admin_cidr_min_prefix >= 8 && var.admin_cidr_min_prefix <= 32
    error_message = "admin_cidr_min_prefix must be a whole number from 8 to 32."
  }
}

variable "package_egress" {
  description = "Open outbound HTTP and HTTPS to the whole internet: Debian's and NodeSource's apt repositories and the npm registry, which have no AWS prefix list. Needed while Ansible installs Node.js (first deploy, a new Node major) or runs npm ci (a release whose package-lock.json changed), and for Debian's security updates. Off otherwise: the hosts then reach only the AWS APIs the services call (docs/deploy.md, Network)."
  type        = bool
  default     = false
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
  description = "Archive lifecycle: days to STANDARD_IA, to GLACIER_IR, and to expiry (0 = never); days an overwritten or deleted object's previous version is kept (the bucket is versioned)."
  type = object({
    standard_ia_days       = number
    glacier_ir_days        = number
    expire_days            = number
    noncurrent_expire_days = optional(number, 30)
  })
  default = { standard_ia_days = 30, glacier_ir_days = 90, expire_days = 0, noncurrent_expire_days = 30 }
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

variable "athena" {
  description = "The analysis on Athena (modules/analytics; unset keys take the module's defaults): analysis_principals (IAM ARNs that may assume the analysis role; none: no role), bytes_scanned_cutoff (per query, at least 10 MB), archive_start_day (YYYY-MM-DD), dead_letter_actors, console_listing, results_bucket_name, results_retention_days, queries_dir (default analysis/athena/queries)."
  type = object({
    analysis_principals    = optional(list(string), [])
    bytes_scanned_cutoff   = optional(number)
    archive_start_day      = optional(string)
    dead_letter_actors     = optional(list(string))
    console_listing        = optional(bool)
    results_bucket_name    = optional(string)
    results_retention_days = optional(number)
    queries_dir            = optional(string)
  })
  default  = {}
  nullable = false
}
