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
