# The data plane on the local emulators (npm run stack, or the stack test/infra/local-stack.ts starts):
# hardening off, since the emulators implement no KMS, bucket policies or lifecycle. `npm run test:infra` applies
# it, re-plans expecting no changes, deploys the actors with Ansible from its outputs, and destroys it.

terraform {
  required_version = ">= 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.60, < 6.0"
    }
  }
}

variable "endpoints" {
  description = "Emulator URLs, all on 127.0.0.1: kinesis, dynamodb, s3, sqs (fauxqs) and sns (fauxqs behind test/infra/sns-shim.ts)."
  type        = object({ kinesis = string, dynamodb = string, s3 = string, sns = string, sqs = string })
  validation {
    condition     = alltrue([for url in values(var.endpoints) : can(regex("^http://127\\.0\\.0\\.1:[0-9]+$", url))])
    error_message = "Every endpoint must be http://127.0.0.1:<port>: this root only ever talks to local emulators."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name, so this copy never meets the one the local stack provisions."
  type        = string
  default     = "tf-"
}

variable "shard_counts" {
  description = "Shards per stream key, overriding config/resources.json (the deploy test uses fewer: every consumer polls every shard every 20 ms against the emulator)."
  type        = map(number)
  default     = {}
}

provider "aws" {
  region = "us-east-1"
  # s3rver checks signatures against S3RVER/S3RVER; the other emulators take any key. Not secrets.
  access_key                  = "S3RVER"
  secret_key                  = "S3RVER"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  s3_use_path_style           = true

  endpoints {
    kinesis  = var.endpoints.kinesis
    dynamodb = var.endpoints.dynamodb
    s3       = var.endpoints.s3
    sns      = var.endpoints.sns
    sqs      = var.endpoints.sqs
  }
}

module "data_plane" {
  source = "../modules/data-plane"

  name_prefix   = var.name_prefix
  shard_counts  = var.shard_counts
  hardening     = false
  force_destroy = false # s3rver has no ListObjectVersions: the test empties the bucket first
}

module "services" {
  source = "../modules/services"

  data_plane = module.data_plane
  region     = module.data_plane.region
}

output "data_plane" {
  description = "What the module created."
  value       = module.data_plane
}

output "services" {
  description = "The service catalog, for the Ansible inventory as on AWS (test/infra/inventory.ts): env (each service's resource names), ops_ports, stream_readers (ansible/redeploy.yml)."
  value       = module.services
}
