output "service_config" {
  description = "Each service's environment on AWS (what Ansible writes to /opt/prestacop/env/<service>.env)."
  value = {
    for svc in local.service_names : svc => merge(
      { PRESTACOP_TARGET = "aws", PRESTACOP_REGION = local.region },
      module.services.env[svc],
    )
  }
}

output "hosts" {
  description = "Service hosts: service (its role), the services it runs, instance id, addresses, availability zone."
  value = {
    for name, h in local.hosts : name => {
      service    = h.service
      services   = h.services
      id         = aws_instance.host[name].id
      public_ip  = aws_instance.host[name].public_ip
      private_ip = aws_instance.host[name].private_ip
      az         = aws_instance.host[name].availability_zone
    }
  }
}

output "ansible_inventory" {
  description = "The Ansible inventory (YAML inventory as JSON): terraform output -json ansible_inventory > ansible/inventory/aws.json"
  value = {
    all = {
      vars = {
        prestacop_common_env  = { PRESTACOP_TARGET = "aws", PRESTACOP_REGION = local.region }
        prestacop_service_env = module.services.env
        prestacop_ops_ports   = module.services.ops_ports
        # Whose hosts a rolling redeploy activates first (ansible/redeploy.yml).
        prestacop_stream_readers = module.services.stream_readers
        prestacop_log_groups     = { for svc, g in aws_cloudwatch_log_group.service : svc => g.name }
      }
      children = {
        prestacop = {
          hosts = {
            for name, h in local.hosts : name => {
              ansible_host             = aws_instance.host[name].public_ip
              ansible_user             = "admin"
              prestacop_services       = h.services
              prestacop_instance_index = h.index
            }
          }
        }
      }
    }
  }
}

output "alarm_topic_arn" {
  description = "The alarm topic: subscribe e-mail or SMS to it (or set alarm_email)."
  value       = module.data_plane.topics.alarms.arn
}

output "console_queue_url" {
  description = "The queue the swarm's summary reads (countPublishedAlarms)."
  value       = module.data_plane.queues.console.url
}

output "operator_console_queue_url" {
  description = "The operator console's own queue (actors/operator-console)."
  value       = module.data_plane.queues.operatorConsole.url
}

output "archive_bucket" {
  description = "The archive bucket (empty it before terraform destroy)."
  value       = module.data_plane.bucket.name
}

output "kms_key_arn" {
  description = "The customer managed key (null without hardening)."
  value       = local.kms_key_arn
}

output "athena" {
  description = "The analysis on Athena: Glue database, workgroup, results bucket, named query ids (statistics, and the one-time setup's views), the analysis role (null without athena.analysis_principals)."
  value = {
    database       = module.analytics.database
    workgroup      = module.analytics.workgroup
    results_bucket = module.analytics.results_bucket
    named_queries  = module.analytics.named_queries
    role_arn       = module.analytics.role_arn
  }
}
