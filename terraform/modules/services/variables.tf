variable "data_plane" {
  description = "The outputs of the data-plane module (streams, tables, bucket, topics, queues)."
  type = object({
    region  = string
    streams = map(object({ name = string, arn = string }))
    tables  = map(object({ name = string, arn = string }))
    bucket  = object({ name = string, arn = string })
    topics  = map(object({ name = string, arn = string }))
    queues  = map(object({ name = string, url = string, arn = string }))
  })
}

variable "region" {
  description = "Region the services run in."
  type        = string
}

variable "kms_key_arn" {
  description = "The data plane's KMS key, or null when nothing is encrypted with a customer managed key."
  type        = string
  default     = null
}
