output "names" {
  description = "Service names, sorted."
  value       = sort(keys(local.catalog))
}

output "ops_ports" {
  description = "Ops server port (/healthz, /metrics) of each service, bound to 127.0.0.1 on its host."
  value       = { for name, svc in local.catalog : name => svc.ops_port }
}

output "env" {
  description = "Each service's own environment variables (resource names), without target, region or endpoints."
  value       = { for name, svc in local.catalog : name => svc.env }
}

output "policies" {
  description = "Each service's IAM policy document (an object; jsonencode it)."
  value       = local.policies
}

output "placement" {
  description = "The services without hosts of their own: { service = the service whose first host runs it too }."
  value       = { for name, svc in local.catalog : name => svc.host if svc.host != null }
}

output "stream_readers" {
  description = "The services that read a Kinesis stream (their statements call kinesis:GetRecords), sorted: a rolling redeploy activates their hosts first (ansible/redeploy.yml)."
  value       = sort([for name, svc in local.catalog : name if contains(flatten(svc.statements[*].Action), "kinesis:GetRecords")])
}
